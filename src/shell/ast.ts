// The syntax tree of the PowerShell subset. Every node carries the offset of its first
// character so errors can point at line:column.

export type Statement =
  | AssignmentStatement
  | PipelineStatement
  | ForeachStatement
  | IfStatement
  | FunctionDefinition
  | TryStatement
  | ThrowStatement
  | ReturnStatement;

export interface Script {
  kind: 'script';
  statements: Statement[];
}

export interface AssignmentStatement {
  kind: 'assign';
  offset: number;
  target: VariableExpr | MemberExpr | IndexExpr;
  op: '=' | '+=' | '-=';
  value: PipelineStatement;
}

export interface PipelineStatement {
  kind: 'pipeline';
  offset: number;
  elements: PipelineElement[];
}

export interface ForeachStatement {
  kind: 'foreach';
  offset: number;
  variable: string;
  collection: PipelineStatement;
  body: Statement[];
}

export interface IfStatement {
  kind: 'if';
  offset: number;
  clauses: { condition: PipelineStatement; body: Statement[] }[];
  elseBody?: Statement[];
}

/** One parameter of a function: `[Parameter(Mandatory)][string]$Name = 'default'`. */
export interface FunctionParameter {
  name: string;
  /** The type constraint as written ('string', 'switch', 'int' ...). */
  type?: string;
  mandatory: boolean;
  defaultValue?: Expr;
}

/** `function Name { param(...) ... }` or `function Name($a, $b) { ... }`. */
export interface FunctionDefinition {
  kind: 'function';
  offset: number;
  name: string;
  parameters: FunctionParameter[];
  body: Statement[];
}

/** `try { } catch [Type] { } finally { }`. */
export interface TryStatement {
  kind: 'try';
  offset: number;
  body: Statement[];
  /** Catch clauses in order; an empty type list catches everything. */
  catches: { types: string[]; body: Statement[] }[];
  finallyBody?: Statement[];
}

export interface ThrowStatement {
  kind: 'throw';
  offset: number;
  value?: PipelineStatement;
}

export interface ReturnStatement {
  kind: 'return';
  offset: number;
  value?: PipelineStatement;
}

export type PipelineElement = CommandCall | ExpressionElement;

export interface ExpressionElement {
  kind: 'expression';
  offset: number;
  expr: Expr;
}

export interface CommandCall {
  kind: 'command';
  offset: number;
  /** Name as typed, dashes normalised to U+002D. */
  name: string;
  elements: CommandElement[];
}

export type CommandElement = ParameterElement | ArgumentElement | SplatElement;

export interface ParameterElement {
  kind: 'parameter';
  offset: number;
  /** Name without the dash, as typed. */
  name: string;
  /** `-Name:value` form: the value is attached to the parameter. */
  colonValue?: Expr;
  colon: boolean;
}

export interface ArgumentElement {
  kind: 'argument';
  offset: number;
  /** Offset just past the argument (tools that rewrite arguments in place). */
  end: number;
  value: Expr;
}

export interface SplatElement {
  kind: 'splat';
  offset: number;
  variable: string;
}

export type Expr =
  | StringExpr
  | ExpandableStringExpr
  | NumberExpr
  | VariableExpr
  | MemberExpr
  | IndexExpr
  | InvokeMemberExpr
  | ArrayLiteralExpr
  | ArrayExpr
  | SubExpr
  | ParenExpr
  | HashtableExpr
  | ScriptBlockExpr
  | BinaryExpr
  | UnaryExpr
  | CastExpr
  | TypeExpr
  | StaticMemberExpr;

export interface StringExpr {
  kind: 'string';
  offset: number;
  value: string;
  /** True for a bare (generic) token in argument mode, e.g. `admin@contoso.com`. */
  bare?: boolean;
}

export interface ExpandableStringExpr {
  kind: 'expandable';
  offset: number;
  parts: (string | Expr)[];
}

export interface NumberExpr {
  kind: 'number';
  offset: number;
  value: number;
  text: string;
}

export interface VariableExpr {
  kind: 'variable';
  offset: number;
  name: string;
}

export interface MemberExpr {
  kind: 'member';
  offset: number;
  target: Expr;
  member: string;
  isStatic?: boolean;
}

export interface IndexExpr {
  kind: 'index';
  offset: number;
  target: Expr;
  index: Expr;
}

export interface InvokeMemberExpr {
  kind: 'invoke';
  offset: number;
  target: Expr;
  member: string;
  args: Expr[];
  isStatic?: boolean;
}

/** `a, b, c` */
export interface ArrayLiteralExpr {
  kind: 'arrayLiteral';
  offset: number;
  items: Expr[];
}

/** `@( ... )` */
export interface ArrayExpr {
  kind: 'arrayExpr';
  offset: number;
  body: Statement[];
}

/** `$( ... )` */
export interface SubExpr {
  kind: 'subExpr';
  offset: number;
  body: Statement[];
}

/** `( pipeline )` */
export interface ParenExpr {
  kind: 'paren';
  offset: number;
  pipeline: PipelineStatement | AssignmentStatement;
}

export interface HashtableExpr {
  kind: 'hashtable';
  offset: number;
  entries: { key: Expr; value: PipelineStatement }[];
  ordered?: boolean;
}

export interface ScriptBlockExpr {
  kind: 'scriptBlock';
  offset: number;
  body: Statement[];
  text: string;
}

export interface BinaryExpr {
  kind: 'binary';
  offset: number;
  /** Lower-case operator without the dash: 'eq', 'ilike', 'and', '+', '..' ... */
  op: string;
  left: Expr;
  right: Expr;
}

export interface UnaryExpr {
  kind: 'unary';
  offset: number;
  op: '!' | 'not' | '-' | '+' | ',';
  operand: Expr;
}

export interface CastExpr {
  kind: 'cast';
  offset: number;
  type: string;
  operand: Expr;
}

export interface TypeExpr {
  kind: 'type';
  offset: number;
  type: string;
}

export interface StaticMemberExpr {
  kind: 'staticMember';
  offset: number;
  type: string;
  member: string;
}
