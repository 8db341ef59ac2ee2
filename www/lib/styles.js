// @ts-check
// The element's styles, inside its shadow root so a host page (mdBook,
// Docusaurus) neither breaks them nor is touched by them.
export const STYLES = `
:host { display: block; --bg: #fff; --fg: #111827; --muted: #6b7280; --line: #e5e7eb; --panel: #f9fafb;
  --accent: #2563eb; --accent-fg: #fff; --danger: #b91c1c; --danger-bg: #fef2f2; --warn-bg: #fffbeb; --ok: #047857;
  --radius: 8px; color: var(--fg); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; }
@media (prefers-color-scheme: dark) {
  :host(:not([theme=light])) { --bg: #111827; --fg: #f3f4f6; --muted: #9ca3af; --line: #374151; --panel: #1f2937;
    --accent: #3b82f6; --danger: #f87171; --danger-bg: #3f1d1d; --warn-bg: #3a2f12; --ok: #34d399; }
}
:host([theme=dark]) { --bg: #111827; --fg: #f3f4f6; --muted: #9ca3af; --line: #374151; --panel: #1f2937;
  --accent: #3b82f6; --danger: #f87171; --danger-bg: #3f1d1d; --warn-bg: #3a2f12; --ok: #34d399; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
.rb { container-type: inline-size; background: var(--bg); border-radius: var(--radius); }
.grid { display: grid; gap: 12px; }
@container (min-width: 960px) { .full .grid { grid-template-columns: minmax(0, 1fr) 380px; align-items: start; } }
.main { min-width: 0; display: flex; flex-direction: column; gap: 8px; }
button, select, input, summary { font: inherit; color: inherit; }
button { border: 1px solid var(--line); background: var(--panel); border-radius: 6px; padding: 6px 10px; min-height: 36px; cursor: pointer; }
button:hover:not(:disabled) { border-color: var(--muted); }
button:disabled { opacity: .5; cursor: not-allowed; }
button:focus-visible, input:focus-visible, select:focus-visible, canvas:focus-visible, summary:focus-visible, ol:focus-visible {
  outline: 3px solid var(--accent); outline-offset: 2px; }
button.primary { background: var(--accent); color: var(--accent-fg); border-color: var(--accent); font-weight: 600; }
button.danger { background: var(--danger-bg); color: var(--danger); border-color: currentColor; font-weight: 600; }
button[aria-pressed=true].danger { background: var(--danger); color: #fff; }
input[type=number], input[type=text], input[type=search], select { border: 1px solid var(--line); border-radius: 6px;
  background: var(--bg); padding: 5px 7px; min-height: 34px; }
.toolbar { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 8px; }
.toolbar .model { margin-left: auto; } /* the model, Share and ? go right, on the first line or the next */
.speed { display: inline-flex; align-items: center; gap: 6px; }
.speed input { width: 110px; }
.speed output { min-width: 4.5em; font-variant-numeric: tabular-nums; }
.clock { font: 600 15px ui-monospace, SFMono-Regular, Menlo, monospace; width: 8.5em; white-space: nowrap; contain: strict; height: 1.5em; overflow: hidden; }
.slowmo { position: absolute; top: 8px; left: 8px; pointer-events: none; }
.slowmo.off { visibility: hidden; }
.badge { font-size: 12px; padding: 1px 7px; border-radius: 99px; background: var(--panel); border: 1px solid var(--line); color: var(--muted); }
.model { display: inline-flex; border: 1px solid var(--line); border-radius: 7px; overflow: hidden; }
.model button { border: 0; border-radius: 0; min-height: 34px; background: transparent; }
.model button[aria-checked=true] { background: var(--accent); color: var(--accent-fg); }
.beats { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 10px; padding: 8px 10px; border: 1px solid var(--line);
  border-radius: var(--radius); background: var(--panel); }
.beats .status { flex: 1 1 220px; min-width: 0; }
.beats .status b { font-size: 15px; }
.beats .sub { color: var(--muted); font-size: 13px; }
.beats input { width: 58px; }
.rules { display: flex; flex-wrap: wrap; gap: 4px; margin: 0; padding: 0; list-style: none; width: 100%; }
.rules:empty { display: none; }
.rules li { display: inline-flex; align-items: center; gap: 4px; font-size: 13px; padding: 2px 2px 2px 9px; border-radius: 99px;
  background: var(--danger-bg); color: var(--danger); }
.rules button { min-height: 26px; padding: 0 8px; border-radius: 99px; background: transparent; border: 0; color: inherit; }
.alert { padding: 8px 12px; border-radius: var(--radius); background: var(--danger-bg); color: var(--danger); border: 1px solid currentColor; }
.unstable { margin: 0; padding: 6px 12px; border-radius: var(--radius); background: var(--warn-bg); border: 1px solid var(--line); font-size: 13px; }
.alert.past { background: var(--warn-bg); color: inherit; border-color: var(--line); }
.stage { position: relative; aspect-ratio: 5 / 4; max-height: max(300px, calc(100vh - 330px)); min-height: 240px; border: 1px solid var(--line);
  border-radius: var(--radius); overflow: hidden; background: var(--bg); }
@container (max-width: 640px) { .stage { aspect-ratio: 1; } }
:host([fill]) .rb, :host([fill]) .grid, :host([fill]) .main { height: 100%; }
:host([fill]) .stage { aspect-ratio: auto; max-height: none; min-height: 150px; flex: 1; }
.stage canvas { position: absolute; inset: 0; width: 100%; height: 100%; touch-action: manipulation; }
.bigplay { position: absolute; left: 50%; top: 50%; transform: translate(-50%, -50%); font-size: 18px; padding: 12px 22px;
  box-shadow: 0 2px 12px rgba(0,0,0,.15); }
.tour { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 14px; padding: 10px 12px; border: 1px solid var(--line);
  border-left: 4px solid var(--accent); border-radius: var(--radius); background: var(--panel); }
.tour .say { margin: 0; flex: 1 1 260px; font-size: 15px; min-height: 4.35em; }
/* The caption above takes its room from the ring, so both stay in view. */
.touring .stage { max-height: max(300px, calc(100vh - 440px)); }
/* So does the client bar (Nacos, full controls): the timeline stays in view under the ring. */
.main:has(> .client:not([hidden])) .stage { max-height: max(300px, calc(100vh - 380px)); }
.tour-nav { display: flex; flex-wrap: wrap; justify-content: flex-end; align-items: center; gap: 8px; margin-left: auto; }
.tour-count { color: var(--muted); font-variant-numeric: tabular-nums; min-width: 4.2em; min-height: 36px; cursor: pointer;
  display: inline-flex; align-items: center; justify-content: center; list-style: none; padding: 0 4px; border-radius: 6px; }
.tour-count::-webkit-details-marker { display: none; }
.tour-count::after { content: "\\00a0▾"; font-size: 11px; }
.tour { position: relative; }
.stop-list { position: absolute; z-index: 5; left: 8px; right: 8px; top: calc(100% + 4px); max-height: 60vh; overflow: auto;
  margin: 0; padding: 6px; list-style: none; background: var(--bg); border: 1px solid var(--line); border-radius: var(--radius);
  box-shadow: 0 4px 18px rgba(0,0,0,.18); }
.stop-list button { display: block; width: 100%; text-align: left; border: 0; background: transparent; min-height: 32px; }
.stop-list button:hover { background: var(--panel); }
.stop-list button[aria-current] { font-weight: 650; background: var(--panel); }
.tour .next { min-width: 8.5em; }
.open-lab { color: var(--accent); font-weight: 600; white-space: nowrap; }
.tip { position: absolute; pointer-events: none; background: var(--fg); color: var(--bg); font-size: 12px; padding: 3px 7px;
  border-radius: 5px; white-space: nowrap; transform: translate(-50%, calc(-100% - 10px)); }
.tl canvas { width: 100%; height: 58px; display: block; border: 1px solid var(--line); border-radius: var(--radius); cursor: pointer;
  touch-action: none; }
.behind { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: 4px 10px; margin: 6px 0 0;
  font-size: 13px; color: var(--muted); }
.behind[hidden] { display: none; }
.announce { margin: 0; min-height: 1.45em; }
.error { margin: 0; padding: 6px 10px; border-radius: 6px; background: var(--danger-bg); color: var(--danger); }
.legend { display: flex; flex-wrap: wrap; gap: 4px 14px; font-size: 12px; color: var(--muted); margin: 0; padding: 0; list-style: none; }
.legend i { display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin-right: 4px; vertical-align: -1px; }
.legend .k-beat { background: #2563eb; } .legend .k-beat-reply { border: 2px solid #2563eb; }
.legend .k-vote { background: #d97706; } .legend .k-vote-reply { border: 2px solid #d97706; }
.legend .k-prevote { background: #7c3aed; } .legend .k-lost { background: #dc2626; border-radius: 0; width: 8px; height: 8px; }
.legend .k-stalled { background: #2563eb; outline: 1.5px dashed #b91c1c; outline-offset: 1px; } .legend .k-failed { background: #c7ccd4; }
.legend .k-snapshot { background: #0e7490; } .legend .k-commit { background: #0d9488; } .legend .k-pull { background: #db2777; } .legend .k-delete { background: #9f1239; }
.client { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 12px; padding: 6px 10px; border: 1px solid var(--line);
  border-radius: var(--radius); background: var(--panel); }
.client .row { gap: 6px; }
@container (max-width: 640px) { .client { padding: 6px 8px; gap: 4px 8px; } .client button, .client input { min-height: 32px; padding: 3px 7px; }
  .client input.w70 { width: 52px; } .client input.w62 { width: 48px; } }
.client .results { flex: 1 1 150px; min-width: 0; color: var(--muted); font-size: 13px; font-variant-numeric: tabular-nums; }
.client .results.failed { color: var(--danger); }
.datum-list { display: flex; flex-wrap: wrap; gap: 3px; margin: 4px 0 0; padding: 0; list-style: none; font: 12px ui-monospace, Menlo, monospace; }
.datum-list li { padding: 0 5px; border-radius: 4px; border: 1px solid var(--line); background: var(--bg); }
.datum-list li.stale { background: var(--warn-bg); border-color: #d97706; }
.datum-list li.more { border: 0; background: none; color: var(--muted); }
.side { display: flex; flex-direction: column; gap: 10px; min-width: 0; }
.side > section, .side > details { border: 1px solid var(--line); border-radius: var(--radius); padding: 8px 10px; background: var(--bg); }
.side h3, .side summary { margin: 0 0 6px; font-size: 14px; font-weight: 650; }
details > summary { cursor: pointer; margin: 0; }
details[open] > summary { margin-bottom: 8px; }
.row { display: flex; flex-wrap: wrap; align-items: center; gap: 6px; margin: 6px 0; }
.row > label { display: inline-flex; align-items: center; gap: 5px; }
.row.flush { margin: 0; } .grow { flex: 1; } input.w70 { width: 70px; } input.w62 { width: 62px; }
.script textarea { width: 100%; font: 12px ui-monospace, monospace; }
.pc-next { color: var(--muted); font-size: 13px; }
/* minmax(0, ...): the inputs' intrinsic widths must not widen the side column past the page. */
.form { display: grid; grid-template-columns: auto minmax(0, 1fr); gap: 6px 10px; align-items: center; }
.form input[type=number], .form input[type=text], .form select { width: 100%; min-width: 0; }
.form .row { flex-wrap: nowrap; } .form .row input { width: auto; min-width: 0; flex: 1; }
.hint { color: var(--muted); font-size: 13px; margin: 4px 0; }
dl.fields { display: grid; grid-template-columns: max-content 1fr; gap: 2px 10px; margin: 6px 0; font-size: 13px; }
dl.fields dt { font-family: ui-monospace, Menlo, monospace; color: var(--muted); cursor: help; }
dl.fields dd { margin: 0; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
table.peers, table.log-entries { border-collapse: collapse; font-size: 12px; }
table.log-entries { margin-top: 4px; font-variant-numeric: tabular-nums; }
table.log-entries th { font-weight: 500; color: var(--muted); text-align: left; padding: 0 8px 0 0; }
table.log-entries td { padding: 0 8px 0 0; } table.log-entries tr.uncommitted td { color: var(--muted); font-style: italic; }
table.peers th { font-weight: 500; color: var(--muted); text-align: left; padding: 0 8px 0 0; }
table.peers td { padding: 0 8px 0 0; }
.log .filters { display: flex; flex-wrap: wrap; gap: 4px; margin-bottom: 6px; }
.log .filters button { min-height: 28px; padding: 2px 8px; font-size: 12px; border-radius: 99px; }
.log .filters button[aria-pressed=false] { opacity: .55; text-decoration: line-through; }
.log input[type=search] { width: 100%; margin-bottom: 6px; }
.log ol { list-style: none; margin: 0; padding: 0; height: 340px; overflow-y: auto; font-size: 12.5px; border-top: 1px solid var(--line); }
.log li { padding: 2px 2px; border-bottom: 1px solid var(--line); overflow-wrap: anywhere; }
.log li time { color: var(--muted); font-variant-numeric: tabular-nums; margin-right: 4px; }
.log li code { font-weight: 600; }
.log li.c-election code { color: #b45309; } .log li.c-beat code { color: #1d4ed8; } .log li.c-role code { color: #7c3aed; }
.log li.c-fault { background: var(--panel); } .log li.c-monitor { color: var(--danger); font-weight: 600; }
.log li.note { background: var(--warn-bg); padding: 4px 6px; border-left: 3px solid #d97706; }
.log .meta { color: var(--muted); font-size: 12px; margin: 4px 0 0; }
.msgs { list-style: none; margin: 0; padding: 0; max-height: 180px; overflow-y: auto; font-size: 13px; }
.msgs li { display: flex; align-items: center; justify-content: space-between; gap: 6px; padding: 2px 0; }
.msgs button { min-height: 28px; padding: 0 8px; }
.notes ul { margin: 0; padding-left: 18px; font-size: 13px; }
.notes li { margin-bottom: 4px; }
dialog { border: 1px solid var(--line); border-radius: 10px; background: var(--bg); color: var(--fg); max-width: min(560px, 94vw); }
dialog::backdrop { background: rgba(0,0,0,.35); }
dialog table { border-collapse: collapse; font-size: 14px; }
dialog td { padding: 3px 10px 3px 0; vertical-align: top; }
dialog h3 { margin-top: 0; }
kbd { font: 12px ui-monospace, Menlo, monospace; border: 1px solid var(--line); border-bottom-width: 2px; border-radius: 4px; padding: 1px 5px; background: var(--panel); }
/* The slider keeps its aria-label when the word goes (the full layout's
   toolbar has only the left column). */
@container (max-width: 900px) { .speed .label { display: none; } }
@container (max-width: 1320px) { .full .speed .label { display: none; } }
@container (max-width: 720px) { .toolbar { gap: 4px 6px; } .beats { padding: 6px 8px; } }
@container (max-width: 520px) {
  .speed input { width: 96px; } .clock { min-width: 0; flex-basis: 100%; order: -1; }
  button { min-height: 40px; }
}
@media (pointer: coarse) { button { min-height: 44px; } }
`;
