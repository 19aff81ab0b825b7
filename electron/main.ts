/**
 * Electron main process: a thin shell around browser mode. `stratum open` starts the engine (the
 * HTTP + WebSocket server of core/api/server.ts, whose kernels are plain Node processes) and
 * launches this with `STRATUM_SERVER_URL` and `STRATUM_TOKEN`. The window loads the renderer from
 * that server, sandboxed (contextIsolation on, nodeIntegration off, sandbox on); the preload
 * exposes the {@link WorkbenchBridge} over IPC. Main distrusts the renderer: it accepts only
 * allow-listed channels from the window's own origin and validates every request with the same
 * validators as the HTTP server (core/api/validate.ts) before forwarding it with the token.
 */
import { app, BrowserWindow, dialog, ipcMain, shell, type IpcMainInvokeEvent } from 'electron';
import path from 'node:path';
import { API_METHODS, IPC_EVENT_CHANNEL, IPC_PREFIX, TOKEN_HEADER, type ApiErrorBody, type ApiMethod, type ApiResult, type WorkbenchEvent } from '../core/api/contract.ts';
import { validateRequest } from '../core/api/validate.ts';
import { serializeError } from '../core/errors.ts';

const serverUrl = process.env.STRATUM_SERVER_URL ?? '';
const token = process.env.STRATUM_TOKEN ?? '';
const origin = serverUrl ? new URL(serverUrl).origin : '';

/** True when an IPC call comes from a frame showing our own server's pages. */
function trustedSender(event: IpcMainInvokeEvent): boolean {
  const url = event.senderFrame?.url;
  if (!url) return false;
  try {
    return new URL(url).origin === origin;
  } catch {
    return false;
  }
}

/** Validates one request and forwards it to the engine; never throws (errors come back serialized). */
async function forward(method: ApiMethod, event: IpcMainInvokeEvent, payload: unknown): Promise<ApiResult<unknown>> {
  if (!trustedSender(event)) return { ok: false, error: { ename: 'StratumError', evalue: 'IPC call from an untrusted frame', traceback: [], code: 'REQUEST_INVALID' } };
  try {
    const request = validateRequest(method, payload);
    const response = await fetch(`${serverUrl}/api/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [TOKEN_HEADER]: token },
      body: JSON.stringify(request),
    });
    const body = (await response.json()) as unknown;
    return response.ok ? { ok: true, value: body } : { ok: false, error: (body as ApiErrorBody).error };
  } catch (error) {
    return { ok: false, error: { ...serializeError(error), traceback: [] } };
  }
}

/** Relays engine events from the server's WebSocket to every window; reconnects with backoff. */
function relayEvents(): void {
  let retry = 250;
  const connect = (): void => {
    const ws = new WebSocket(`${serverUrl.replace(/^http/, 'ws')}/api/events?token=${encodeURIComponent(token)}`);
    ws.onopen = () => {
      retry = 250;
    };
    ws.onmessage = (message) => {
      const event = JSON.parse(String(message.data)) as WorkbenchEvent | { type: 'hello' };
      if (event.type === 'hello') return;
      for (const window of BrowserWindow.getAllWindows()) window.webContents.send(IPC_EVENT_CHANNEL, event);
    };
    ws.onclose = () => {
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 5000);
    };
  };
  connect();
}

function createWindow(): void {
  const window = new BrowserWindow({
    width: 1400,
    height: 900,
    title: 'Stratum',
    webPreferences: {
      preload: path.join(__dirname, 'preload.cjs'),
      contextIsolation: true,
      nodeIntegration: false,
      sandbox: true,
      webSecurity: true,
      spellcheck: false,
    },
  });
  // Stay on our own pages: other links open in the user's browser.
  window.webContents.setWindowOpenHandler(({ url }) => {
    if (/^https?:\/\//.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  window.webContents.on('will-navigate', (event, url) => {
    if (new URL(url).origin !== origin) event.preventDefault();
  });
  void window.loadURL(`${serverUrl}/`);
}

if (!serverUrl || !token) {
  dialog.showErrorBox('Stratum', 'Start the workbench with `stratum open [FOLDER]`: it starts the engine and then this window.');
  app.exit(1);
} else {
  for (const method of API_METHODS) ipcMain.handle(`${IPC_PREFIX}${method}`, (event, payload: unknown) => forward(method, event, payload));
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });
  void app.whenReady().then(() => {
    relayEvents();
    createWindow();
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createWindow();
    });
  });
  app.on('window-all-closed', () => app.quit());
}
