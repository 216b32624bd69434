import pluginJson from './plugin.json';

export const PLUGIN_ID = pluginJson.id;

export enum ROUTES {
  Upload = 'upload',
}
