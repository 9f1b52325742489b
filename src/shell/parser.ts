// Parser for the PowerShell subset admin scripts use. PowerShell tokenizes differently in
// argument mode (after a command name: bare words, `-Parameter`, `10MB`) and in expression mode
// (`$a -eq 'x'`, `1 + 2`), so the lexer is driven by the parser: each parse function reads the
// characters it expects. Tokenizer facts follow reference §10 (Unicode dashes and quotes,
// backtick continuation, `#` / `<# #>` comments, number multipliers).
//
// The parser is layered, one file a layer (parser/): the cursor and operator tables, literals
// (variables, strings), expressions, statements and commands.
import type { Script } from './ast.js';
import { Parser } from './parser/statements.js';

export { parseNumberLiteral } from './parser/cursor.js';

export function parseScript(text: string): Script {
  // A byte-order mark (scripts saved by Windows editors) is not part of the first token.
  const p = new Parser(text.charCodeAt(0) === 0xfeff ? ' ' + text.slice(1) : text);
  const statements = p.parseStatements(null);
  return { kind: 'script', statements };
}
