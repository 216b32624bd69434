import React from 'react';
import { PluginPage } from '@grafana/runtime';

export default function UploadPage() {
  return <PluginPage>Drop Speedscope files here to upload them to Pyroscope.</PluginPage>;
}
