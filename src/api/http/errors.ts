// Errors of the admin API: `{ error: { message, errorId, category, parameter } }`. An admin
// operation's error keeps the shell's sentence and names the parameter; the status code comes
// from its PowerShell category. Anything unforeseen is a 500 with one sentence, never a stack.
import type { FastifyError, FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { AdminError } from '../../admin/index.js';
import { ShellError } from '../../shell/index.js';
import { CursorError } from './paging.js';

export interface ErrorBody {
  message: string;
  errorId: string;
  category: string;
  parameter?: string;
  /** KQL errors: where in the query (1-based line and column, 0-based offset). */
  line?: number;
  column?: number;
  position?: number;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details: Omit<ErrorBody, 'message'>,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** A request that its schema refuses: the first problem, naming the field as a parameter. */
  static fromZod(e: z.ZodError, where: string): ApiError {
    const issue = e.issues[0];
    const field = issue.path.filter((p) => typeof p === 'string' || typeof p === 'number').join('.');
    const parameter = field || (where === 'body' ? 'body' : where);
    const message = issue.code === 'unrecognized_keys' ? `${parameter}: unknown ${issue.keys.length > 1 ? 'parameters' : 'parameter'} ${issue.keys.join(', ')}.` : `${parameter}: ${issue.message}`;
    const unknownParameter = issue.code === 'unrecognized_keys' ? issue.keys[0] : parameter;
    return new ApiError(400, message, { errorId: 'InvalidParameterValue', category: 'InvalidArgument', parameter: unknownParameter });
  }
}

const STATUS_OF_CATEGORY: Record<string, number> = {
  InvalidArgument: 400,
  ObjectNotFound: 404,
  ResourceExists: 409,
  InvalidOperation: 409,
  NotImplemented: 501,
  PermissionDenied: 403,
  OperationStopped: 400,
  InvalidData: 400,
  InvalidType: 400,
  WriteError: 409,
};

export function errorResponse(err: unknown): { status: number; body: { error: ErrorBody } } {
  if (err instanceof ApiError) return { status: err.status, body: { error: { message: err.message, ...err.details } } };
  if (err instanceof AdminError || err instanceof ShellError) {
    return {
      status: STATUS_OF_CATEGORY[err.category] ?? 400,
      body: { error: { message: err.message, errorId: err.errorId, category: err.category, ...(err.parameter && { parameter: err.parameter }) } },
    };
  }
  if (err instanceof CursorError) return { status: 400, body: { error: { message: err.message, errorId: 'InvalidParameterValue', category: 'InvalidArgument', parameter: 'cursor' } } };
  const fe = err as FastifyError;
  if (fe && typeof fe.statusCode === 'number' && fe.statusCode < 500) {
    // fastify's own refusals: malformed JSON, a body too large, a wrong content type.
    return { status: fe.statusCode, body: { error: { message: fe.message, errorId: fe.code ?? 'BadRequest', category: 'InvalidArgument' } } };
  }
  return { status: 500, body: { error: { message: 'internal error in the admin API; the server log has the details.', errorId: 'InternalError', category: 'NotSpecified' } } };
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err, request, reply) => {
    const { status, body } = errorResponse(err);
    if (status >= 500) request.log.error({ err }, 'admin API request failed');
    void reply.code(status).type('application/json').send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send({ error: { message: `No such API route: ${request.method} ${request.url.split('?')[0]}.`, errorId: 'NotFound', category: 'ObjectNotFound' } });
  });
}
