import ts from 'typescript';
import { jsOptions } from '../lang/javascript/options';
import { defineRule, type JsContext } from '../engine/rule-types';
import type { Fix, Value } from '../engine/types';
import { OWASP } from '../engine/types';
import { skipOuter, type JsFile } from '../lang/javascript/front';
import { capitalized, isJQueryObject, memberName, methodCall, reportFlow } from './support/javascript-web';

/**
 * MongoDB/Mongoose queries built from request data: an object where a string was expected smuggles
 * query operators (`{ "password": { "$ne": "" } }` logs in without the password), and `$where`
 * runs JavaScript on the database server.
 */
export default defineRule({
  meta: {
    id: 'nosql-injection',
    title: 'NoSQL query built from untrusted input',
    description: 'Request data used as a MongoDB/Mongoose query filter can carry query operators ($ne, $gt, $where) that change what the query matches; $where with non-constant code runs attacker JavaScript in the database.',
    cwe: ['CWE-943'],
    owasp: OWASP.A03,
    severity: 'error',
    confidence: 'high',
    securitySeverity: 8.1,
    languages: ['javascript'],
  },
  javascript: {
    [ts.SyntaxKind.CallExpression]: (node: ts.CallExpression, ctx) => call(node, ctx),
  },
});

// ---- JavaScript / TypeScript ----

/** Collection/Model methods whose first argument (distinct: second) is a query filter. */
const FILTER_METHODS: Record<string, number> = {
  find: 0, findOne: 0, findOneAndUpdate: 0, findOneAndDelete: 0, findOneAndReplace: 0, findOneAndRemove: 0,
  updateOne: 0, updateMany: 0, update: 0, deleteOne: 0, deleteMany: 0, remove: 0, replaceOne: 0,
  countDocuments: 0, count: 0, exists: 0, where: 0, distinct: 1,
};

/** Modules whose presence tells that `find`/`findOne` calls in the file are MongoDB queries. */
const MONGO_MODULES = /^(mongodb|mongoose|monk|mongojs|mongoist|@nestjs\/mongoose|@typegoose\/typegoose|mongorito|mquery)(\.|$)/;
/** Callees that are certainly not MongoDB (lodash `_.find`, jQuery `.find`, arrays...). */
const NOT_MONGO = /^(lodash|underscore|ramda|rambda|lodash-es|immutable)(\.|\/|$)/;
/** Filter keys of SQL ORMs (Sequelize, TypeORM, Prisma): an options object, not a Mongo filter. */
const ORM_OPTION_KEYS = new Set(['where', 'data', 'include', 'select', 'order', 'orderBy', 'attributes', 'relations', 'skip', 'take', 'limit', 'offset']);
/** Operators whose operand is compared as a value: an object there does not add operators. */
const VALUE_OPERATORS = new Set(['$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$in', '$nin', '$all', '$size', '$type', '$mod', '$exists', '$regex', '$options', '$text', '$search']);

function call(node: ts.CallExpression, ctx: JsContext): void {
  const m = methodCall(node);
  if (!m) return;
  const file = ctx.file;
  if (m.name === '$where') {
    // Mongoose Query#$where(code)
    if (node.arguments.length >= 1) whereCode(ctx, node.arguments[0]);
    return;
  }
  if (m.name === 'aggregate' && node.arguments.length >= 1) {
    // collection.aggregate([{ $match: { user: req.body.user } }, ...])
    const pipeline = skipOuter(node.arguments[0]);
    const callee = file.callName(node);
    if (!ts.isArrayLiteralExpression(pipeline) || (callee && NOT_MONGO.test(callee)) || !file.mayHaveTaint() || !isMongoReceiver(file, m.receiver)) return;
    for (const stage of pipeline.elements) {
      const st = skipOuter(stage);
      if (!ts.isObjectLiteralExpression(st)) continue;
      for (const p of st.properties) {
        if (!ts.isPropertyAssignment(p) || propName(p.name) !== '$match') continue;
        const match = skipOuter(p.initializer);
        if (ts.isObjectLiteralExpression(match)) checkObject(ctx, match);
        else reportFlow(ctx, match, file.valueOf(match), 'nosql',
          (src) => `${capitalized(src)} is used as a whole \`$match\` filter: an object from the request can carry query operators.`, { unknown: false });
      }
    }
    return;
  }
  const index = Object.hasOwn(FILTER_METHODS, m.name) ? FILTER_METHODS[m.name] : undefined;
  if (index === undefined || node.arguments.length <= index) return;
  const callee = file.callName(node);
  if (callee && NOT_MONGO.test(callee)) return;
  const filter = skipOuter(node.arguments[index]);
  if (ts.isArrowFunction(filter) || ts.isFunctionExpression(filter) || ts.isStringLiteralLike(filter) || ts.isNumericLiteral(filter)) return;
  // filters are reported only with request data in them: files with no source skip the data flow
  if (!file.mayHaveTaint() || !isMongoReceiver(file, m.receiver)) return;
  if (ts.isObjectLiteralExpression(filter)) {
    if (filter.properties.some((p) => p.name && ORM_OPTION_KEYS.has(propName(p.name) ?? ''))) return;
    checkObject(ctx, filter);
    return;
  }
  // a filter built in a variable (`const q = { $where: ... }; coll.find(q)`): read it key by key
  const model = ts.isIdentifier(filter) ? jsOptions(file, filter) : undefined;
  if (model && ![...model.keys.keys()].some((k) => ORM_OPTION_KEYS.has(k))) {
    for (const entry of model.keys.values()) checkEntry(ctx, entry.key, entry.value);
    if (!model.open) return;
  }
  reportFlow(ctx, filter, file.valueOf(filter), 'nosql',
    (src) => `${capitalized(src)} is used as the whole query filter: an object from the request can carry operators such as \`$ne\` or \`$where\`.`,
    { unknown: false });
}

/** Reports request data in the values of a filter object literal, recursing into nested literals. */
function checkObject(ctx: JsContext, obj: ts.ObjectLiteralExpression): void {
  const file = ctx.file;
  for (const p of obj.properties) {
    if (ts.isSpreadAssignment(p)) {
      reportFlow(ctx, p, file.valueOf(p.expression), 'nosql',
        (src) => `${capitalized(src)} is spread into the query filter: its keys can be query operators such as \`$ne\`.`, { unknown: false });
      continue;
    }
    const key = p.name ? propName(p.name) : undefined;
    if (ts.isMethodDeclaration(p) || ts.isAccessor(p)) continue;
    const valueNode = ts.isPropertyAssignment(p) ? p.initializer : ts.isShorthandPropertyAssignment(p) ? p.name : undefined;
    if (!valueNode) continue;
    checkEntry(ctx, key, valueNode);
  }
}

/** One key of a filter: `$where` code, a nested filter, or a value that must not be an object from the request. */
function checkEntry(ctx: JsContext, key: string | undefined, valueNode: ts.Expression): void {
  const file = ctx.file;
  if (key === '$where' || key === '$function' || key === '$accumulator') {
    if (key === '$where') whereCode(ctx, valueNode);
    return;
  }
  if (key !== undefined && VALUE_OPERATORS.has(key)) return;
  const inner = skipOuter(valueNode);
  if (ts.isObjectLiteralExpression(inner)) { checkObject(ctx, inner); return; }
  if (ts.isArrayLiteralExpression(inner)) {
    // $or / $and / $nor: arrays of filters
    for (const el of inner.elements) if (ts.isObjectLiteralExpression(skipOuter(el))) checkObject(ctx, skipOuter(el) as ts.ObjectLiteralExpression);
    return;
  }
  if (isStringTyped(inner)) return;
  const value = file.valueOf(valueNode);
  if (fromRouteParams(value)) return;
  reportFlow(ctx, valueNode, value, 'nosql',
    (src) => `${capitalized(src)} is used as the value of \`${key ?? '?'}\` in a query filter: an object such as \`{"$ne": null}\` would match any document.`,
    { unknown: false }, () => stringFix(file, valueNode));
}

/** `$where` runs JavaScript on the server: any non-constant code is code injection. */
function whereCode(ctx: JsContext, code: ts.Expression): void {
  const e = skipOuter(code);
  if (ts.isFunctionExpression(e) || ts.isArrowFunction(e)) return;
  reportFlow(ctx, code, ctx.file.valueOf(code), 'code',
    (src) => `${capitalized(src)} is part of a \`$where\` expression, which MongoDB runs as JavaScript. Use query operators instead.`);
}

/** Coerce to a string: objects can no longer smuggle operators. */
function stringFix(file: JsFile, value: ts.Expression): Fix[] {
  const text = file.textOf(value);
  if (ts.isShorthandPropertyAssignment(value.parent)) {
    return [{ title: 'Coerce the value to a string (String(...))', edits: [{ range: file.range(value), newText: `${text}: String(${text})` }] }];
  }
  return [{ title: 'Coerce the value to a string (String(...))', edits: [{ range: file.range(value), newText: `String(${text})` }] }];
}

/** Route parameters (`req.params.id`) are always strings: they cannot carry operators. */
function fromRouteParams(value: Value): boolean {
  return value.kind === 'tainted' && /^(?:[\w$]+\.)?params\.[\w$]+$|^params\b/.test(value.source.description);
}

/** A value that is a string whatever it is made of: `String(x)`, a template, `'' + x`, `x.toString()`. */
function isStringTyped(e: ts.Expression): boolean {
  if (ts.isTemplateExpression(e) || ts.isNoSubstitutionTemplateLiteral(e) || ts.isStringLiteral(e)) return true;
  if (ts.isNewExpression(e) || ts.isCallExpression(e)) {
    // new ObjectId(x) throws for anything but an id
    const callee = skipOuter(e.expression);
    const last = ts.isIdentifier(callee) ? callee.text : memberName(callee);
    if (last === 'ObjectId' || last === 'ObjectID') return true;
  }
  if (ts.isCallExpression(e)) {
    const callee = skipOuter(e.expression);
    if (ts.isIdentifier(callee) && (callee.text === 'String' || callee.text === 'Number' || callee.text === 'parseInt' || callee.text === 'parseFloat')) return true;
    const name = memberName(callee);
    if (name === 'toString' || name === 'toLowerCase' || name === 'toUpperCase' || name === 'trim') return true;
  }
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    return ts.isStringLiteralLike(skipOuter(e.left)) || ts.isStringLiteralLike(skipOuter(e.right))
      || isStringTyped(skipOuter(e.left)) || isStringTyped(skipOuter(e.right));
  }
  return false;
}

/**
 * Is the receiver a MongoDB collection or Mongoose model? Yes when the file imports a MongoDB
 * library, or the receiver was made by one (`db.collection('x')`, `mongoose.model(...)`), or is named
 * like a model (`User`, `this.userModel`, `usersCollection`).
 */
function isMongoReceiver(file: JsFile, receiver: ts.Expression): boolean {
  const r = skipOuter(receiver);
  // jQuery's .find(selector): `$(...)` chains and `$`-named variables (checked without data flow)
  const root = ts.isCallExpression(r) ? skipOuter(r.expression) : r;
  if ((ts.isIdentifier(root) && root.text.startsWith('$')) || (ts.isPropertyAccessExpression(root) && root.name.text.startsWith('$'))) return false;
  if (ts.isCallExpression(r) && isJQueryObject(file, r)) return false;
  if (ts.isArrayLiteralExpression(r)) return false;
  for (const q of file.imports.values()) if (MONGO_MODULES.test(q)) return true;
  if (ts.isCallExpression(r)) {
    const name = memberName(skipOuter(r.expression));
    if (name === 'collection' || name === 'model') return true;
  }
  const name = ts.isIdentifier(r) ? r.text : ts.isPropertyAccessExpression(r) ? r.name.text : undefined;
  if (name && (/^[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]+)*$/.test(name) || /(Model|Collection|collection)$/.test(name))) return true;
  const origin = file.valueOf(r).origin;
  return !!origin && /mongo|\.collection\(|\.model\(/i.test(origin);
}

function propName(name: ts.PropertyName): string | undefined {
  if (ts.isIdentifier(name) || ts.isStringLiteralLike(name) || ts.isNumericLiteral(name)) return name.text;
  if (ts.isComputedPropertyName(name) && ts.isStringLiteralLike(name.expression)) return name.expression.text;
  return undefined;
}
