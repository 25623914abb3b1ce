/**
 * The recorder: while a notebook is open, every aisec output that appears or changes (a run, a
 * re-run, a `display_id` update from a widget callback, the outputs present when the notebook is
 * opened) is merged into `metadata.aisec` by the rule of `merge.ts`, the same as `aisec-nb sync`.
 *
 * It writes only when the merged record differs from the notebook's, so opening a notebook whose
 * record is up to date leaves it clean; clearing outputs removes nothing, since the record is
 * merged from the metadata as well as the outputs. The notebook model is written through its
 * public metadata API, which with real-time collaboration goes through the shared document.
 */

import { ICodeCellModel } from '@jupyterlab/cells';
import { INotebookModel, NotebookPanel } from '@jupyterlab/notebook';
import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { INotebookEvidence, readRecord, RecordError, recordToWrite } from './merge';

const DEBOUNCE_MS = 60;

export interface IRecorderState {
  /** The merged record and the cells that show its entries; `null` before the first pass. */
  evidence: INotebookEvidence | null;
  /** Why the evidence could not be merged (a malformed record or output), or `null`. */
  error: string | null;
}

/** The notebook's outputs, in the nbformat shape the merge reads (only what it needs). */
export function notebookView(model: INotebookModel): { metadata: object; cells: object[] } {
  const cells: object[] = [];
  for (let i = 0; i < model.cells.length; i++) {
    const cell = model.cells.get(i);
    if (cell.type !== 'code') {
      cells.push({ cell_type: cell.type });
      continue;
    }
    const outputs = (cell as ICodeCellModel).outputs;
    const list: object[] = [];
    for (let j = 0; j < outputs.length; j++) {
      list.push({ data: outputs.get(j).data });
    }
    cells.push({ cell_type: 'code', outputs: list });
  }
  const aisec = model.getMetadata('aisec');
  return { metadata: aisec === undefined ? {} : { aisec }, cells };
}

export class NotebookRecorder implements IDisposable {
  constructor(readonly panel: NotebookPanel) {
    void panel.context.ready.then(() => {
      if (this.isDisposed) {
        return;
      }
      const model = panel.content.model;
      if (!model) {
        return;
      }
      this._model = model;
      model.cells.changed.connect(this._watchCells, this);
      model.metadataChanged.connect(this._schedule, this);
      this._watchCells();
      this._update();
    });
    panel.disposed.connect(() => this.dispose());
  }

  /** Emitted after each pass, written or not. */
  get changed(): ISignal<this, IRecorderState> {
    return this._changed;
  }

  get state(): IRecorderState {
    return { evidence: this._evidence, error: this._error };
  }

  /** How many times the recorder wrote `metadata.aisec` (tests read it). */
  get writes(): number {
    return this._writes;
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    if (this._timer !== null) {
      clearTimeout(this._timer);
    }
    Signal.clearData(this);
  }

  /** Merge now (the panel's refresh; tests). */
  flush(): void {
    if (this._timer !== null) {
      clearTimeout(this._timer);
      this._timer = null;
    }
    this._update();
  }

  private _watchCells(): void {
    const model = this._model;
    if (!model) {
      return;
    }
    for (let i = 0; i < model.cells.length; i++) {
      const cell = model.cells.get(i);
      if (cell.type === 'code') {
        // Connecting the same slot twice is a no-op, so every pass may reconnect all cells.
        const outputs = (cell as ICodeCellModel).outputs;
        outputs.changed.connect(this._schedule, this);
        outputs.stateChanged.connect(this._schedule, this);
      }
    }
    this._schedule();
  }

  private _schedule(): void {
    if (this._disposed || this._timer !== null) {
      return;
    }
    this._timer = setTimeout(() => {
      this._timer = null;
      this._update();
    }, DEBOUNCE_MS);
  }

  private _update(): void {
    const model = this._model;
    if (!model || this._disposed) {
      return;
    }
    const name = this.panel.context.path;
    try {
      const view = notebookView(model);
      const evidence = readRecord(view, name);
      const current = model.getMetadata('aisec');
      const write = recordToWrite(current, evidence.record);
      if (write !== null) {
        this._writes += 1;
        model.setMetadata('aisec', write);
      }
      this._evidence = evidence;
      this._error = null;
    } catch (error) {
      this._error = error instanceof RecordError ? error.message : `${name}: ${String(error)}`;
      console.warn(`aisec-nb: evidence not recorded: ${this._error}`);
    }
    this._changed.emit(this.state);
  }

  private _model: INotebookModel | null = null;
  private _evidence: INotebookEvidence | null = null;
  private _error: string | null = null;
  private _timer: ReturnType<typeof setTimeout> | null = null;
  private _disposed = false;
  private _writes = 0;
  private _changed = new Signal<this, IRecorderState>(this);
}
