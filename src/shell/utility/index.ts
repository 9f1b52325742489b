// The PowerShell utility cmdlets admin scripts pipe Exchange output through. They are part of the
// engine: nothing here knows Exchange.
import type { CmdletDef } from '../registry.js';
import { convertFromJson, convertToCsv, convertToJson, exportCsv, getContent, outFile, setContent } from './data.js';
import { getCommand, getHelp } from './help.js';
import { forEachObject, groupObject, measureObject, selectObject, sortObject, whereObject } from './objects.js';
import { formatList, formatTable, getDate, outNull, outString, writeError, writeHost, writeOutput, writeWarning } from './output.js';

export const utilityCmdlets: CmdletDef[] = [
  whereObject,
  selectObject,
  sortObject,
  forEachObject,
  groupObject,
  measureObject,
  formatTable,
  formatList,
  outString,
  outNull,
  exportCsv,
  outFile,
  setContent,
  convertToCsv,
  convertToJson,
  convertFromJson,
  writeOutput,
  writeHost,
  writeWarning,
  writeError,
  getDate,
  getContent,
  getCommand,
  getHelp,
];
