// The tests that run the eks-platform command as a user does (a child process) need the compiled library.
module.exports = () => {
  require('../scripts/build-lib').ensureBuilt();
};
