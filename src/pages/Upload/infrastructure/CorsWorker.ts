/**
 * A Worker that also starts when the script lives on another origin. Grafana serves plugin files from
 * `public/plugins/<id>/`, sometimes from a CDN, and browsers refuse `new Worker(crossOriginUrl)`. A same-origin blob
 * that loads the real script with importScripts (which may cross origins) works in both cases: the pattern of
 * Grafana's own CorsWorker.
 */
export class CorsWorker {
  constructor(url: URL) {
    const source = `importScripts(${JSON.stringify(url.href)});`;
    const blobUrl = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
    const worker = new window.Worker(blobUrl);
    URL.revokeObjectURL(blobUrl);
    return worker;
  }
}
