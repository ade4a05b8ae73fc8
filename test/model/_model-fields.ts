/**
 * The fields of every model type reachable from `PlatformProps`, enumerated with the TypeScript compiler API: the
 * docs test (field-domains.test.ts) holds docs/model.md's "Field domains" table against them.
 */
import * as path from 'node:path';
import * as ts from 'typescript';

/**
 * Every field path under `PlatformProps`: `name`, `environments[].nodeGroups[].minSize`,
 * `environments[].kubernetes.serviceOverrides.<key>.minReplicas`. Arrays of objects add `[]`, records of objects
 * `.<key>`; a property is a field whatever its type (the container fields too: `services[].ports` has a domain).
 */
export function modelFieldPaths(root = path.join(__dirname, '..', '..')): string[] {
  const program = ts.createProgram([path.join(root, 'lib', 'model', 'index.ts')], { strict: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16, skipLibCheck: true, noEmit: true });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(path.join(root, 'lib', 'model', 'platform.ts'));
  if (source === undefined) {
    throw new Error('lib/model/platform.ts is not in the program');
  }
  let props: ts.InterfaceDeclaration | undefined;
  ts.forEachChild(source, (node) => {
    if (ts.isInterfaceDeclaration(node) && node.name.text === 'PlatformProps') {
      props = node;
    }
  });
  if (props === undefined) {
    throw new Error('PlatformProps is not declared in lib/model/platform.ts');
  }
  const out = new Set<string>();
  walk(checker, checker.getTypeAtLocation(props), '', out, []);
  return [...out].sort();
}

/** The object types a field's type holds: undefined stripped, unions split; primitives, literals and enums give none. */
function objectTypes(checker: ts.TypeChecker, type: ts.Type): ts.Type[] {
  const parts = type.isUnion() ? type.types : [type];
  return parts.filter((t) => (t.flags & ts.TypeFlags.Object) !== 0 && checker.getPropertiesOfType(t).length + checker.getIndexInfosOfType(t).length > 0);
}

function isRecordDeclared(prop: ts.Symbol): boolean {
  const decl = prop.valueDeclaration ?? prop.declarations?.[0];
  const typeNode = decl !== undefined && (ts.isPropertySignature(decl) || ts.isPropertyDeclaration(decl) || ts.isParameter(decl)) ? decl.type : undefined;
  return typeNode !== undefined && /\bRecord</.test(typeNode.getText());
}

function walk(checker: ts.TypeChecker, type: ts.Type, prefix: string, out: Set<string>, stack: ts.Type[]): void {
  if (stack.includes(type)) {
    return;
  }
  for (const prop of checker.getPropertiesOfType(type)) {
    if ((prop.flags & ts.SymbolFlags.Method) !== 0 || (prop.flags & ts.SymbolFlags.Prototype) !== 0) {
      continue;
    }
    const decl = prop.valueDeclaration ?? prop.declarations?.[0];
    if (decl !== undefined && ts.getCombinedModifierFlags(decl as ts.Declaration) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected | ts.ModifierFlags.Static)) {
      continue;
    }
    const field = `${prefix}${prop.name}`;
    out.add(field);
    const propType = checker.getNonNullableType(checker.getTypeOfSymbol(prop));
    descend(checker, propType, field, isRecordDeclared(prop), out, [...stack, type]);
  }
}

function descend(checker: ts.TypeChecker, type: ts.Type, field: string, record: boolean, out: Set<string>, stack: ts.Type[]): void {
  for (const t of objectTypes(checker, type)) {
    if (checker.isArrayType(t) || checker.isTupleType(t)) {
      const element = checker.getNonNullableType(checker.getTypeArguments(t as ts.TypeReference)[0]);
      if (objectTypes(checker, element).length > 0) {
        walk(checker, element, `${field}[].`, out, stack);
      }
      continue;
    }
    const index = checker.getIndexInfosOfType(t)[0];
    if (index !== undefined || record) {
      const value = index?.type ?? checker.getTypeOfSymbol(checker.getPropertiesOfType(t)[0]);
      const element = checker.getNonNullableType(value);
      if (objectTypes(checker, element).length > 0) {
        walk(checker, element, `${field}.<key>.`, out, stack);
      }
      continue;
    }
    if (checker.getSignaturesOfType(t, ts.SignatureKind.Call).length > 0) {
      continue;
    }
    walk(checker, t, `${field}.`, out, stack);
  }
}
