// Dependencies point one way. `npm test` runs this before vitest (`npm run check:deps`), so a
// cycle or an import against the layering fails the suite instead of living only in prose.
//
// Layers, lowest first: errors.ts and vector/ (leaves) → model (the Embedder interface and model
// backends) → pool (runs backends in workers; knows no scoring) → scoring → engine → http → cli.
// documents, schema and store sit beside them and import none of the model/scoring stack.

/** A forbidden-import rule from one folder (or file) of src to others. */
const forbid = (name, comment, from, to) => ({ name, comment, severity: 'error', from: { path: from }, to: { path: to } });
const folders = (...names) => `^src/(${names.join('|')})(/|\\.ts$)`;

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No file imports itself through others.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-folder-cycle',
      comment: 'No folder imports itself through others.',
      severity: 'error',
      scope: 'folder',
      from: {},
      to: { circular: true },
    },
    forbid('errors-is-a-leaf', 'src/errors.ts and src/errors/ (table, class, factories) are used by every layer; they import nothing else of src.', '^src/errors(\\.ts$|/)', '^src/(?!errors/)'),
    forbid('thread-priority-is-a-leaf', 'Used by the document and inference workers; imports nothing of src.', '^src/thread-priority\\.ts$', '^src/'),
    forbid('vector-is-a-leaf', 'Vector math is used by every layer; it imports nothing of src.', '^src/vector/', '^src/(?!vector/)'),
    forbid(
      'model-is-a-leaf',
      'The model layer (Embedder interface + backends) knows nothing of who runs or uses it.',
      '^src/model/',
      folders('pool', 'scoring', 'engine', 'http', 'store', 'cli', 'documents', 'schema', 'client', 'index'),
    ),
    forbid(
      'pool-knows-no-scoring',
      'The pool runs models and generic worker tasks; what those tasks compute is injected.',
      '^src/pool/',
      folders('scoring', 'engine', 'http', 'store', 'cli', 'documents', 'schema', 'client', 'index'),
    ),
    forbid('scoring-below-engine', 'Scoring is pure math over vectors and label text.', '^src/scoring/', folders('pool', 'engine', 'http', 'store', 'cli', 'documents', 'client', 'index')),
    forbid('engine-below-hosts', 'The engine is host-neutral: no HTTP adapter, no CLI.', '^src/engine/', folders('http', 'cli', 'client', 'index')),
    forbid('http-below-cli', 'The HTTP adapter is a library export; the CLI uses it, not the other way.', '^src/http/', folders('cli', 'client')),
    {
      ...forbid('client-is-standalone', 'The HTTP client ships without the engine (it may share its types).', '^src/client/', folders('engine', 'model', 'pool', 'scoring', 'store', 'documents', 'http', 'cli')),
      to: { path: folders('engine', 'model', 'pool', 'scoring', 'store', 'documents', 'http', 'cli'), dependencyTypesNot: ['type-only'] },
    },
    forbid('jobs-below-engine', 'Batch jobs get scoring injected (src/jobs/ports.ts); they import no pipeline, model or host.', '^src/jobs/', folders('model', 'pool', 'scoring', 'engine', 'http', 'cli', 'client', 'index')),
    forbid('nothing-imports-cli', 'The CLI is the top of the graph.', '^src/(?!cli/)', '^src/cli/'),
    forbid(
      'side-layers-stay-low',
      'documents, schema and store are used by the engine; they do not reach back into it.',
      folders('documents', 'schema', 'store'),
      folders('model', 'pool', 'scoring', 'engine', 'http', 'cli', 'client', 'index'),
    ),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
    // Type-only imports count: a type import that goes the wrong way is the same coupling.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
