// Errors of the admin operations. They carry what a caller needs to report them the way Exchange
// does: an error id (Exchange's FullyQualifiedErrorId where it has one), a PowerShell error
// category and the parameter at fault. The shell shows them as PowerShell errors, the CLI prints
// the message, the REST API maps the category to a status code.

export type AdminErrorCategory = 'InvalidArgument' | 'ObjectNotFound' | 'ResourceExists' | 'InvalidOperation' | 'NotImplemented';

export class AdminError extends Error {
  readonly errorId: string;
  readonly category: AdminErrorCategory;
  readonly parameter?: string;

  constructor(message: string, options: { errorId: string; category: AdminErrorCategory; parameter?: string }) {
    super(message);
    this.name = 'AdminError';
    this.errorId = options.errorId;
    this.category = options.category;
    this.parameter = options.parameter;
  }
}

/** Nothing of this organization matches the identity; worded like Exchange. */
export function objectNotFound(identity: string, kind?: string, parameter?: string): AdminError {
  const what = kind ? `${kind} object '${identity}'` : `object '${identity}'`;
  return new AdminError(`The operation couldn't be performed because ${what} couldn't be found.`, { errorId: 'ManagementObjectNotFoundException', category: 'ObjectNotFound', parameter });
}

/** A name (or domain) is taken in this organization; worded like Exchange. */
export function objectExists(identity: string, kind: string, parameter = 'Name'): AdminError {
  return new AdminError(`The object ${kind} '${identity}' already exists.`, { errorId: 'ManagementObjectAlreadyExistsException', category: 'ResourceExists', parameter });
}

/** A value the operation refuses, naming the parameter. */
export function invalid(parameter: string, message: string, errorId = 'InvalidParameterValue'): AdminError {
  return new AdminError(message, { errorId, category: 'InvalidArgument', parameter });
}

/** An operation this gateway (or this session) does not offer; never fake data. */
export function notAvailable(message: string): AdminError {
  return new AdminError(message, { errorId: 'FeatureNotAvailable', category: 'NotImplemented' });
}

export const same = (a: string | undefined | null, b: string | undefined | null): boolean => !!a && !!b && a.toLowerCase() === b.toLowerCase();
