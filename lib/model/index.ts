export * from './cidr';
export * from './environment';
export * from './names';
export * from './platform';
export * from './service';
export * from './validation';
