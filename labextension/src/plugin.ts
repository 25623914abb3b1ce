/**
 * The app plugin: a recorder and a kernel bridge for every open notebook, the "AI security" side
 * panel and the status-bar item (JupyterLab; Notebook 7 has no status bar).
 */

import {
  ILabShell,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { IStatusBar } from '@jupyterlab/statusbar';

import { KernelBridge } from './comm';
import { AisecPanel, AisecStatus } from './panel';
import { NotebookRecorder } from './recorder';

export const COMMAND_OPEN = 'aisec-nb:open-panel';
export const COMMAND_LINT = 'aisec-nb:lint';

/** What the plugin provides to tests and other extensions: the recorder of each notebook. */
export interface IAisecRecorders {
  get(panel: NotebookPanel): NotebookRecorder | undefined;
}

const plugin: JupyterFrontEndPlugin<IAisecRecorders> = {
  id: 'aisec-nb:plugin',
  description: 'Records aisec-nb evidence into metadata.aisec; the AI security panel and status.',
  autoStart: true,
  requires: [INotebookTracker],
  optional: [IStatusBar, ICommandPalette, ILabShell],
  activate: (
    app: JupyterFrontEnd,
    tracker: INotebookTracker,
    statusBar: IStatusBar | null,
    palette: ICommandPalette | null,
    labShell: ILabShell | null
  ): IAisecRecorders => {
    const recorders = new Map<NotebookPanel, NotebookRecorder>();
    const panel = new AisecPanel();
    const status = new AisecStatus();

    const recorderOf = (notebook: NotebookPanel): NotebookRecorder => {
      let recorder = recorders.get(notebook);
      if (!recorder) {
        recorder = new NotebookRecorder(notebook);
        recorders.set(notebook, recorder);
        const bridge = new KernelBridge(notebook, recorder);
        notebook.disposed.connect(() => {
          bridge.dispose();
          recorders.delete(notebook);
        });
      }
      return recorder;
    };
    tracker.widgetAdded.connect((_, notebook) => recorderOf(notebook));
    tracker.forEach(notebook => recorderOf(notebook));

    let shown: NotebookRecorder | null = null;
    const onRecord = (): void => status.update_(shown?.state.evidence?.record ?? null);
    const follow = (): void => {
      const current = tracker.currentWidget;
      const recorder = current ? recorderOf(current) : null;
      if (shown) {
        shown.changed.disconnect(onRecord);
      }
      shown = recorder;
      if (recorder) {
        recorder.changed.connect(onRecord);
      }
      panel.setNotebook(current, recorder);
      onRecord();
    };
    tracker.currentChanged.connect(follow);
    follow();

    app.shell.add(panel, 'right', { rank: 900 });

    app.commands.addCommand(COMMAND_OPEN, {
      label: 'Show the AI security panel',
      execute: () => app.shell.activateById(panel.id)
    });
    app.commands.addCommand(COMMAND_LINT, {
      label: 'Lint the notebook (aisec-nb)',
      execute: () => panel.runLint()
    });
    palette?.addItem({ command: COMMAND_OPEN, category: 'AI security' });
    palette?.addItem({ command: COMMAND_LINT, category: 'AI security' });

    if (statusBar) {
      status.node.addEventListener('click', () => app.shell.activateById(panel.id));
      statusBar.registerStatusItem('aisec-nb:status', {
        item: status,
        align: 'left',
        rank: 5,
        isActive: () => !!tracker.currentWidget && (!labShell || labShell.currentWidget === tracker.currentWidget)
      });
    }
    return { get: notebook => recorders.get(notebook) };
  }
};

export default plugin;
