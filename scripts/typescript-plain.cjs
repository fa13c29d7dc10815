// What the bundle gives our code for `import ts from 'typescript'` (see build.mjs): the same API with
// plain properties. TypeScript's own bundle exports each name through a getter, so every `ts.SyntaxKind.X`
// and `ts.isIdentifier(...)` in the analyzer's hot loops was a function call; copying the values once
// makes them ordinary property reads.
module.exports = { ...require('typescript') };
