/**
 * The MIME renderer for `application/vnd.aisec.v1+json`: one card per result. Marked safe, so it
 * renders in untrusted notebooks too (the card is built from text nodes, see `card.ts`).
 */

import { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Widget } from '@lumino/widgets';

import { renderCard } from './card';
import { MIME_TYPE } from './merge';

export class AisecRenderer extends Widget implements IRenderMime.IRenderer {
  constructor(private readonly mimeType: string) {
    super();
    this.addClass('jp-AisecRenderer');
  }

  renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    const card = renderCard(model.data[this.mimeType]);
    this.node.replaceChildren(card);
    return Promise.resolve();
  }
}

export const rendererFactory: IRenderMime.IRendererFactory = {
  safe: true,
  mimeTypes: [MIME_TYPE],
  createRenderer: options => new AisecRenderer(options.mimeType)
};

const extension: IRenderMime.IExtension = {
  id: 'aisec-nb:renderer',
  description: 'Renders aisec-nb results (checks, monitors, threat models, model cards) as cards.',
  rendererFactory,
  // Ahead of text/html, which every aisec bundle also carries for front ends without this.
  rank: 0,
  dataType: 'json'
};

export default extension;
