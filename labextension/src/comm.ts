/**
 * Kernel ↔ front end: `%load_ext aisec_nb` opens a comm on target `aisec_nb.record`; the front end
 * answers with the notebook's current `metadata.aisec` (saved or not) and sends it again whenever
 * it changes, so the kernel always holds the latest record between cells (a kernel cannot wait
 * for a reply while it runs a cell, so the record is pushed rather than fetched).
 *
 * A comm the kernel opened while no page was connected (the extension loaded at kernel start, or
 * the page reloaded) is found with a `comm_info` request and adopted by its id.
 */

import { NotebookPanel } from '@jupyterlab/notebook';
import { Kernel, KernelMessage } from '@jupyterlab/services';
import { JSONObject, JSONValue } from '@lumino/coreutils';
import { IDisposable } from '@lumino/disposable';

import { jsonEqual } from './pyjson';
import { NotebookRecorder } from './recorder';

export const COMM_TARGET = 'aisec_nb.record';

export class KernelBridge implements IDisposable {
  constructor(
    private readonly panel: NotebookPanel,
    private readonly recorder: NotebookRecorder
  ) {
    const session = panel.sessionContext;
    session.kernelChanged.connect(() => this._attach(), this);
    session.statusChanged.connect((_, status) => {
      if (status === 'idle' && session.session?.kernel && !this._kernels.has(session.session.kernel)) {
        this._attach();
      }
    }, this);
    recorder.changed.connect(() => this._sendAll(false), this);
    void session.ready.then(() => this._attach());
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  dispose(): void {
    this._disposed = true;
    this._comms.clear();
  }

  private _attach(): void {
    const kernel = this.panel.sessionContext.session?.kernel;
    if (!kernel || this._disposed) {
      return;
    }
    if (!this._kernels.has(kernel)) {
      this._kernels.add(kernel);
      kernel.registerCommTarget(COMM_TARGET, comm => this._adopt(comm));
    }
    // Comms opened before this page listened: adopt them by id.
    kernel
      .requestCommInfo({ target_name: COMM_TARGET })
      .then(reply => {
        const content = reply.content as KernelMessage.ICommInfoReplyMsg['content'];
        if (content.status !== 'ok') {
          return;
        }
        for (const commId of Object.keys(content.comms)) {
          if (!kernel.hasComm(commId)) {
            this._adopt(kernel.createComm(COMM_TARGET, commId));
          }
        }
      })
      .catch(() => undefined);
  }

  private _adopt(comm: Kernel.IComm): void {
    this._comms.add(comm);
    comm.onMsg = msg => {
      const data = msg.content.data as { type?: string };
      if (data && data.type === 'request') {
        this._send(comm);
      }
    };
    comm.onClose = () => {
      this._comms.delete(comm);
    };
    this._send(comm);
  }

  private _message(): JSONObject {
    const model = this.panel.content.model;
    return {
      type: 'record',
      record: model ? ((model.getMetadata('aisec') as JSONValue | undefined) ?? null) : null,
      path: this.panel.context.path,
      error: this.recorder.state.error
    };
  }

  private _send(comm: Kernel.IComm): void {
    if (comm.isDisposed) {
      this._comms.delete(comm);
      return;
    }
    const message = this._message();
    this._last = message;
    try {
      comm.send(message);
    } catch {
      this._comms.delete(comm);
    }
  }

  private _sendAll(force: boolean): void {
    if (!this._comms.size) {
      return;
    }
    const message = this._message();
    if (!force && jsonEqual(message, this._last)) {
      return;
    }
    for (const comm of [...this._comms]) {
      this._send(comm);
    }
  }

  private _comms = new Set<Kernel.IComm>();
  private _kernels = new WeakSet<Kernel.IKernelConnection>();
  private _last: unknown = null;
  private _disposed = false;
}
