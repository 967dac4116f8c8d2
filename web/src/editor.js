// The PromQL editor: CodeMirror 6 with Prometheus' own codemirror-promql for highlighting,
// linting and completion of functions, metric names, label names and values from our API.
import { EditorView, keymap, placeholder, drawSelection, highlightSpecialChars } from "@codemirror/view";
import { EditorState, Prec } from "@codemirror/state";
import { defaultKeymap, history, historyKeymap, insertNewlineAndIndent } from "@codemirror/commands";
import { syntaxHighlighting, defaultHighlightStyle, bracketMatching } from "@codemirror/language";
import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap } from "@codemirror/autocomplete";
import { lintKeymap } from "@codemirror/lint";
import { PromQLExtension } from "@prometheus-io/codemirror-promql";
import { basePath } from "./api.js";

// One completion client for all panels, so its cache of metric names is shared.
let promql = null;
function promqlExtension() {
  if (!promql) {
    const url = location.origin + basePath().replace(/\/$/, "");
    promql = new PromQLExtension()
      .activateLinter(true)
      .setComplete({ remote: { url, httpMethod: "GET", cache: { maxAge: 60 * 1000 } } });
  }
  return promql.asExtension();
}

// Creates an editor in `parent`; Enter runs `onRun` (Shift+Enter inserts a newline), as in
// Prometheus' UI. Returns {get(), set(text), focus()}.
export function createEditor(parent, doc, onRun) {
  const runKeys = Prec.high(keymap.of([
    { key: "Enter", run: () => { onRun(); return true; } },
    { key: "Shift-Enter", run: insertNewlineAndIndent },
  ]));
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc,
      extensions: [
        highlightSpecialChars(),
        history(),
        drawSelection(),
        bracketMatching(),
        closeBrackets(),
        autocompletion(),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        placeholder("Expression (press Shift+Enter for newlines)"),
        // Completion's Enter (accept) must win over running the query.
        Prec.highest(keymap.of(completionKeymap)),
        runKeys,
        keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, ...lintKeymap]),
        EditorView.lineWrapping,
        promqlExtension(),
      ],
    }),
  });
  return {
    get: () => view.state.doc.toString(),
    set: (text) => view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } }),
    focus: () => view.focus(),
  };
}
