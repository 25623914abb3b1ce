/** The server extension's REST endpoints (`aisec_nb/serverext`): lint and the rule catalogue. */

import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

export interface ILintFinding {
  code: string;
  severity: string;
  message: string;
  notebook: string;
  /** 0-based index over all cells (`nb.cells[i]`), as `aisec-nb lint --format json` gives it. */
  cell: number | null;
  cell_id: string | null;
  check_id: string | null;
}

export interface ILintReport {
  path: string;
  findings: ILintFinding[];
  errors: { notebook: string; message: string }[];
  exit_code: number;
}

export interface IRule {
  code: string;
  area: string;
  severity: string;
  title: string;
  guideline: string;
  section: string;
}

export interface ICatalogue {
  version: string;
  guidelines: { section: string; subsections: string[] }[];
  rules: IRule[];
  /** Which catalogue area a recorded result applies: check kinds, monitors. */
  areas: { checks: { [kind: string]: string }; monitors: string };
  /** Subsections a threat model or a model card gives evidence for (they have no rules yet). */
  documents: { [slot: string]: string[] };
}

async function request<T>(endpoint: string, init: RequestInit = {}): Promise<T> {
  const settings = ServerConnection.makeSettings();
  const url = URLExt.join(settings.baseUrl, 'aisec', endpoint);
  const response = await ServerConnection.makeRequest(url, init, settings);
  const text = await response.text();
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) {
    const message =
      data && typeof data === 'object' && 'message' in data
        ? String((data as { message: unknown }).message)
        : `${response.status} ${response.statusText}`;
    throw new Error(message);
  }
  return data as T;
}

/** Lint the saved notebook at a contents path, with the same code as `aisec-nb lint`. */
export function lintNotebook(path: string): Promise<ILintReport> {
  return request<ILintReport>('lint', { method: 'POST', body: JSON.stringify({ path }) });
}

let catalogue: Promise<ICatalogue> | null = null;

/** The rule catalogue and the 17 guideline subsections (fetched once). */
export function fetchCatalogue(): Promise<ICatalogue> {
  if (catalogue === null) {
    catalogue = request<ICatalogue>('rules');
    catalogue.catch(() => {
      catalogue = null;
    });
  }
  return catalogue;
}
