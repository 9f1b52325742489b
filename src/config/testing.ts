// Test helper for the configuration readers.
import { ConfigFileError } from './yamlFile.js';

/** The problems a configuration reader reports for its input; [] when it accepts it. */
export function problemsOf(read: () => unknown): string[] {
  try {
    read();
  } catch (e) {
    if (e instanceof ConfigFileError) return e.problems;
    throw e;
  }
  return [];
}
