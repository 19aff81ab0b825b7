/**
 * Electron preload (sandboxed): exposes the workbench API to the page as `window.stratum`
 * ({@link WorkbenchBridge}) through `contextBridge`. Only the allow-listed channels exist:
 * `stratum:<method>` for each method of {@link API_METHODS} and the `stratum:event` channel; the
 * page never gets `ipcRenderer` itself. Main validates every request again.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { API_METHODS, IPC_EVENT_CHANNEL, IPC_PREFIX, type WorkbenchBridge, type WorkbenchEvent } from '../core/api/contract.ts';

// Groups (`workspace`, `kernel`, `runs`...) come from the method names, so a new method needs no edit here.
const groups: Record<string, Record<string, (request: unknown) => Promise<unknown>>> = {};
for (const method of API_METHODS) {
  const [group, name] = method.split('.') as [string, string];
  const channel = `${IPC_PREFIX}${method}`;
  (groups[group] ??= {})[name] = (request: unknown) => ipcRenderer.invoke(channel, request);
}

const bridge = {
  ...groups,
  events: {
    subscribe(listener: (event: WorkbenchEvent) => void): () => void {
      const handler = (_event: IpcRendererEvent, payload: WorkbenchEvent): void => listener(payload);
      ipcRenderer.on(IPC_EVENT_CHANNEL, handler);
      return () => {
        ipcRenderer.removeListener(IPC_EVENT_CHANNEL, handler);
      };
    },
  },
} as unknown as WorkbenchBridge;

contextBridge.exposeInMainWorld('stratum', bridge);
