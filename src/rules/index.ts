// Transport (mail flow) rules: model, build from cmdlet parameters, compile, evaluate, explain.
export * from './model.js';
export { buildRule, updateRule, type BuildOptions } from './build.js';
export { compileRules, parseRule, RuleCompileError, type CompiledRule, type CompiledRuleSet, type RuleRef } from './compile.js';
export * from './evaluate.js';
export * from './explain.js';
export type { AttachmentFacts, AuthAs, MessageContent, RuleInput } from './input.js';
