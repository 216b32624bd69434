import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import React from 'react';
import { AppPluginMeta, PluginType } from '@grafana/data';
import { setBackendSrv, setDataSourceSrv } from '@grafana/runtime';
import { FakeBackendSrv } from '../../../../tests/helpers/fakeBackendSrv';
import { AppSettings } from '../../../settings';
import AppConfig from '../AppConfig';
import { settingsToSave } from '../appConfigForm';

let backend: FakeBackendSrv;
const reload = jest.fn();

beforeAll(() => {
  Object.defineProperty(window, 'location', { value: { ...window.location, reload }, writable: true });
});

beforeEach(() => {
  backend = new FakeBackendSrv();
  setBackendSrv(backend as never);
  setDataSourceSrv({
    getList: () => [],
    getInstanceSettings: () => undefined,
    get: async () => ({}),
    reload: async () => {},
  } as never);
  reload.mockClear();
});

function renderConfig(jsonData: AppSettings, secureJsonFields: Record<string, boolean> = {}) {
  const meta = {
    id: 'flamedrop-speedscope-app',
    type: PluginType.app,
    name: 'Speedscope Upload',
    enabled: true,
    pinned: true,
    jsonData,
    secureJsonFields,
    info: {},
  } as unknown as AppPluginMeta<AppSettings>;
  return render(<AppConfig plugin={{ meta } as never} query={{}} />);
}

describe('configuration page', () => {
  it('shows provisioned values and saves the settings with a basic-auth write target', async () => {
    renderConfig({
      defaultDatasourceUid: 'pyroscope-local',
      threadLabelName: 'thread_name',
      sliceSeconds: 10,
      maxFileSizeMb: 512,
    });
    expect(screen.getByRole('textbox', { name: /Thread label name/ })).toHaveValue('thread_name');
    expect(screen.getByRole('spinbutton', { name: /Slice width/ })).toHaveValue(10);

    await userEvent.type(screen.getByRole('textbox', { name: /Pyroscope push URL/ }), 'https://profiles.example.com/');
    await userEvent.click(screen.getByRole('radio', { name: 'Basic auth' }));
    await userEvent.type(screen.getByRole('textbox', { name: 'User' }), '12345');
    await userEvent.type(screen.getByLabelText('Password'), 'glc_secret');
    await userEvent.click(screen.getByRole('button', { name: 'Save settings' }));

    await waitFor(() => expect(reload).toHaveBeenCalled());
    expect(backend.requests).toHaveLength(1);
    expect(backend.requests[0].url).toBe('/api/plugins/flamedrop-speedscope-app/settings');
    expect(JSON.parse(backend.requests[0].body)).toEqual({
      enabled: true,
      pinned: true,
      jsonData: {
        defaultDatasourceUid: 'pyroscope-local',
        threadLabelName: 'thread_name',
        sliceSeconds: 10,
        maxFileSizeMb: 512,
        pushUrl: 'https://profiles.example.com',
        pushAuthKind: 'basic',
        pushUser: '12345',
      },
      // base64("12345:glc_secret")
      secureJsonData: { pushAuthorization: 'Basic MTIzNDU6Z2xjX3NlY3JldA==' },
    });
  });

  it('blocks saving invalid values and says why', async () => {
    renderConfig({});
    await userEvent.type(screen.getByRole('textbox', { name: /Thread label name/ }), 'thread-name');
    expect(
      await screen.findByText(
        'label name "thread-name" must start with a letter or _ and contain only letters, digits and _'
      )
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Save settings' })).toBeDisabled();
  });

  it('shows the server error when saving fails', async () => {
    backend.answer({ status: 403, body: { message: 'Permission denied' } });
    renderConfig({});
    await userEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    expect(await screen.findByText('Permission denied')).toBeInTheDocument();
    expect(reload).not.toHaveBeenCalled();
  });
});

describe('settingsToSave', () => {
  const base = { pushPassword: '', pushToken: '', authorizationReset: false };
  it('keeps a stored secret unless it is replaced or reset', () => {
    expect(settingsToSave({ ...base, pushUrl: 'https://p', pushAuthKind: 'bearer' }).secureJsonData).toBeUndefined();
    expect(
      settingsToSave({ ...base, pushUrl: 'https://p', pushAuthKind: 'bearer', pushToken: 't0k' }).secureJsonData
    ).toEqual({ pushAuthorization: 'Bearer t0k' });
    expect(
      settingsToSave({ ...base, pushUrl: 'https://p', pushAuthKind: 'bearer', authorizationReset: true }).secureJsonData
    ).toEqual({ pushAuthorization: '' });
    expect(settingsToSave({ ...base, pushAuthKind: 'basic' }).secureJsonData).toEqual({ pushAuthorization: '' });
  });
});
