export { default as plugin } from './plugin';
export { default as mimeExtension } from './mime';
export * from './merge';
