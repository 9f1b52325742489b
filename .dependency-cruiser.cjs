// Postern's import rules (DESIGN.md, "Layers"), checked by dependency-cruiser: `npm run depcheck`,
// and `npm test` through scripts/depcheck.js. Zero exceptions: a rule that does not hold is fixed
// in the code, never waived here.
//
// scripts/depcheck.js cruises twice: the code (tests left out: a test in a core folder may drive
// an edge, which at the folder level would read as a cycle) against every rule, then the code with
// its tests (src/**/*.test.ts, test/) against the module-cycle rule alone
// (DEPCHECK_WITH_TESTS=1).
const WITH_TESTS = process.env.DEPCHECK_WITH_TESTS === '1';

/** The core: decisions and application logic. It never imports an edge and does no I/O. */
const CORE = ['message', 'mailflow', 'rules', 'trace', 'hunting', 'auth', 'content', 'config', 'quarantine', 'admin'];
/** The edges: listeners, agents, adapters, the runtime that composes them, user interfaces. */
const EDGES = ['smtp', 'queue', 'delivery', 'store/sqlite', 'store/postgres', 'cli', 'api', 'shell', 'web'];
/** Node's file, socket, process and thread modules (as resolved: `node:fs` is `fs`). */
const NODE_IO = ['fs', 'fs/promises', 'net', 'tls', 'child_process', 'worker_threads'];
/** Packages that open databases, listen, or send mail (as resolved under node_modules). */
const PACKAGE_IO = [
  'better-sqlite3/',
  'pg/',
  'smtp-server/',
  'fastify/',
  // nodemailer's mailer and transports; its pure parsers (addressparser) are not I/O.
  'nodemailer/dist/[^/]+/(nodemailer|mailer|smtp-connection|smtp-pool|smtp-transport|sendmail-transport|ses-transport|stream-transport|json-transport)[/.]',
];
const either = (names) => `(${names.join('|')})`;
/** Test code may reach edges and I/O to drive the real thing; it is held to the cycle rule. */
const TEST_CODE = ['\\.test\\.ts$', '^src/rules/testkit\\.ts$', '^src/hunting/testing/', '^src/testing/'];

const moduleCycle = {
  name: 'no-module-cycle',
  comment: 'No module reaches itself through its imports (type-only imports count).',
  severity: 'error',
  from: { path: '^(src|test)/' },
  to: { circular: true },
};

const codeRules = [
  {
    name: 'no-folder-cycle',
    comment: 'Folders depend one way: no folder reaches back to a folder that depends on it.',
    severity: 'error',
    scope: 'folder',
    from: { path: '^src/' },
    to: { circular: true },
  },
  moduleCycle,
  {
    name: 'message-imports-nothing-of-postern',
    comment: 'src/message/ is the bottom layer: everything may import it, it imports nothing of Postern.',
    severity: 'error',
    from: { path: '^src/message/', pathNot: TEST_CODE },
    to: { path: '^src/', pathNot: '^src/message/' },
  },
  {
    name: 'core-never-imports-an-edge',
    comment: 'The core never imports an edge; edges import the core (dependencies point inward).',
    severity: 'error',
    from: { path: `^src/${either(CORE)}/`, pathNot: TEST_CODE },
    to: { path: `^src/${either(EDGES)}/` },
  },
  {
    name: 'core-does-no-io',
    comment: 'The core opens no file, socket, process, thread or database: edges do, behind ports.',
    severity: 'error',
    from: { path: `^src/${either(CORE)}/`, pathNot: TEST_CODE },
    to: { path: [`^(node:)?${either(NODE_IO)}$`, `^node_modules/${either(PACKAGE_IO)}`] },
  },
];

module.exports = {
  forbidden: WITH_TESTS ? [moduleCycle] : codeRules,
  options: {
    doNotFollow: { path: '^node_modules/' },
    // node_modules stays in the graph (not followed), so the I/O rule sees the packages imported.
    exclude: { path: WITH_TESTS ? '^dist/' : ['^dist/', '\\.test\\.ts$', '^test/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.test.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
