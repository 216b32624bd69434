import React from 'react';
import { DataSourcePicker } from '@grafana/runtime';
import { PYROSCOPE_DATASOURCE_TYPE } from '../settings';

interface Props {
  inputId: string;
  uid?: string;
  onChange: (uid: string) => void;
}

/** Grafana's datasource picker, limited to Pyroscope datasources. */
export function PyroscopeDatasourcePicker({ inputId, uid, onChange }: Props) {
  return (
    <DataSourcePicker
      inputId={inputId}
      type={PYROSCOPE_DATASOURCE_TYPE}
      current={uid ?? null}
      noDefault
      width={40}
      onChange={(ds) => onChange(ds.uid)}
    />
  );
}
