// The PromQL box: Prometheus's own CodeMirror language (highlighting, linting, and completion of
// functions, metric names, label names and values, fetched from our Prometheus API).
import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { HighlightStyle, bracketMatching, syntaxHighlighting } from '@codemirror/language';
import { lintKeymap } from '@codemirror/lint';
import { EditorState, Prec } from '@codemirror/state';
import { EditorView, keymap, placeholder } from '@codemirror/view';
import { tags } from '@lezer/highlight';
import { PromQLExtension } from '@prometheus-io/codemirror-promql';
import { useEffect, useRef } from 'react';

const highlight = HighlightStyle.define([
  { tag: tags.function(tags.variableName), color: '#8ab8ff' },
  { tag: tags.variableName, color: '#e0e0e0' },
  { tag: tags.labelName, color: '#ffb357' },
  { tag: tags.string, color: '#73bf69' },
  { tag: tags.number, color: '#b877d9' },
  { tag: [tags.operatorKeyword, tags.modifier, tags.logicOperator], color: '#5ec4cc', fontWeight: 'bold' },
  { tag: [tags.operator, tags.arithmeticOperator], color: '#5ec4cc' },
  { tag: tags.comment, color: '#888', fontStyle: 'italic' },
  { tag: tags.invalid, color: '#f2495c' },
]);

const theme = EditorView.theme(
  {
    '&': { background: '#181b1f', color: '#e0e0e0', border: '1px solid #3a3f44', borderRadius: '3px' },
    '&.cm-focused': { outline: '1px solid #5794f2' },
    '.cm-content': { fontFamily: 'ui-monospace, monospace', fontSize: '13px', padding: '6px 0', caretColor: '#fff' },
    '.cm-tooltip': { background: '#22252b', border: '1px solid #3a3f44', color: '#e0e0e0' },
    '.cm-tooltip-autocomplete > ul > li[aria-selected]': { background: '#2f4f7f', color: '#fff' },
    '.cm-completionDetail': { color: '#999', marginLeft: '1em' },
    '.cm-placeholder': { color: '#777' },
  },
  { dark: true },
);

/** One PromQL completion source per page: it caches metric names and labels for all editors. */
function newPromQL(): PromQLExtension {
  return new PromQLExtension().setComplete({
    // Same origin: '' + /api/v1/labels, /api/v1/series, /api/v1/metadata, /api/v1/label/…/values.
    remote: { url: '', httpMethod: 'POST', cache: { maxAge: 60_000 } },
  });
}

export function PromqlEditor(props: {
  value: string;
  label: string;
  onChange: (value: string) => void;
  onRun: () => void;
}) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView>(null);
  // The latest callbacks, read by the editor's listeners created once.
  const callbacks = useRef(props);
  callbacks.current = props;

  useEffect(() => {
    const promql = newPromQL();
    const run = (): boolean => {
      callbacks.current.onRun();
      return true;
    };
    const v = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: callbacks.current.value,
        extensions: [
          Prec.highest(
            keymap.of([
              { key: 'Shift-Enter', run },
              { key: 'Mod-Enter', run },
            ]),
          ),
          history(),
          closeBrackets(),
          bracketMatching(),
          autocompletion({ activateOnTyping: true }),
          keymap.of([...closeBracketsKeymap, ...completionKeymap, ...defaultKeymap, ...historyKeymap, ...lintKeymap]),
          promql.asExtension(),
          syntaxHighlighting(highlight),
          theme,
          EditorView.lineWrapping,
          placeholder('Enter a PromQL query (Shift+Enter runs it)'),
          EditorView.contentAttributes.of({ 'aria-label': callbacks.current.label, 'data-testid': 'promql-editor' }),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) callbacks.current.onChange(u.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = v;
    return () => {
      v.destroy();
      promql.destroy();
      view.current = null;
    };
  }, []);

  // A value set from outside (URL change, history) replaces the document.
  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== props.value) {
      v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: props.value } });
    }
  }, [props.value]);

  return <div className="promql-editor" ref={host} />;
}
