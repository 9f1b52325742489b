// The KQL editor: CodeMirror 6 with KQL highlighting; Ctrl+Enter (Cmd+Enter) runs the query;
// the server's error is underlined where it points. The editor lives in a shadow root: there
// CodeMirror puts its styles in a constructable stylesheet (adoptedStyleSheets), which the strict
// CSP allows; in the document itself it would insert a <style> element, which the CSP blocks.
import { useEffect, useRef } from 'react';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { bracketMatching, defaultHighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { lintGutter, setDiagnostics, type Diagnostic } from '@codemirror/lint';
import { EditorState, Prec } from '@codemirror/state';
import { drawSelection, EditorView, highlightActiveLine, keymap, lineNumbers } from '@codemirror/view';
import { kql } from './kqlLanguage';

// The page's stylesheet does not reach into the shadow root: the editor's look is set here.
const theme = EditorView.theme({
  '&': { minHeight: '8rem', fontSize: '14px', backgroundColor: '#fff' },
  '&.cm-focused': { outline: '3px solid #ffb000', outlineOffset: '2px' },
  '.cm-content': { fontFamily: "ui-monospace, 'Cascadia Mono', Menlo, Consolas, monospace", minHeight: '8rem' },
  '.cm-gutters': { backgroundColor: '#f6f8fa', color: '#57606a' },
});

/**
 * Typing over a selection that spans lines: CodeMirror makes the change itself instead of letting
 * Chrome edit the DOM, which merges the lines with `style` attributes that the strict CSP blocks
 * (and reports). Keys CodeMirror binds (Enter, Backspace, paste, cut) never get here.
 */
const typeOverSelection = EditorView.domEventHandlers({
  beforeinput(event, view) {
    const range = view.state.selection.main;
    if (event.inputType !== 'insertText' || range.empty || view.composing) return false;
    event.preventDefault();
    view.dispatch(view.state.replaceSelection(event.data ?? ''), { scrollIntoView: true, userEvent: 'input.type' });
    return true;
  },
});

export interface KqlErrorLocation {
  message: string;
  line?: number;
  column?: number;
  position?: number;
}

/** The error's span: from its offset to the end of the word there (at least one character). */
function diagnosticFor(state: EditorState, error: KqlErrorLocation): Diagnostic {
  const doc = state.doc;
  let from = 0;
  if (typeof error.position === 'number') from = error.position;
  else if (typeof error.line === 'number' && error.line >= 1 && error.line <= doc.lines) from = doc.line(error.line).from + Math.max(0, (error.column ?? 1) - 1);
  from = Math.min(Math.max(0, from), doc.length);
  const rest = doc.sliceString(from, Math.min(doc.length, from + 200));
  const word = /^[^\s|]*/.exec(rest)?.[0].length ?? 0;
  // An error at the very end (an unfinished query) marks the last character.
  if (from === doc.length && from > 0) return { from: from - 1, to: from, severity: 'error', message: error.message, source: 'KQL' };
  const to = Math.min(doc.length, from + Math.max(1, word));
  return { from, to, severity: 'error', message: error.message, source: 'KQL' };
}

export function KqlEditor(props: { initial: string; onChange(text: string): void; onRun(): void; error: KqlErrorLocation | null; label: string }) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const callbacks = useRef(props);
  callbacks.current = props;

  useEffect(() => {
    const run = () => {
      callbacks.current.onRun();
      return true;
    };
    const element = host.current!;
    const shadow = element.shadowRoot ?? element.attachShadow({ mode: 'open' });
    const editor = new EditorView({
      root: shadow,
      parent: shadow,
      state: EditorState.create({
        doc: props.initial,
        extensions: [
          lineNumbers(),
          history(),
          drawSelection(),
          highlightActiveLine(),
          bracketMatching(),
          kql,
          syntaxHighlighting(defaultHighlightStyle),
          lintGutter(),
          Prec.highest(keymap.of([{ key: 'Mod-Enter', run }])),
          keymap.of([...defaultKeymap, ...historyKeymap]),
          EditorView.lineWrapping,
          theme,
          typeOverSelection,
          EditorView.contentAttributes.of({ 'aria-label': props.label }),
          EditorView.updateListener.of((update) => {
            if (update.docChanged) callbacks.current.onChange(update.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = editor;
    return () => editor.destroy();
    // The editor is created once; later props reach it through `callbacks` and the effect below.
  }, []);

  useEffect(() => {
    const editor = view.current;
    if (!editor) return;
    editor.dispatch(setDiagnostics(editor.state, props.error ? [diagnosticFor(editor.state, props.error)] : []));
  }, [props.error]);

  return <div className="kql-editor" ref={host} data-testid="kql-editor" />;
}
