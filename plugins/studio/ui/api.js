// Talking to the server: the key lives in sessionStorage (gone when the tab closes), every call
// carries it as a Bearer token, and errors come back as { title, message, status }.

const KEY_STORAGE = 'entity-studio-key';
export const API_PATH = document.querySelector('meta[name="studio-api"]')?.getAttribute('content') ?? '/studio-api';

export const storedKey = () => sessionStorage.getItem(KEY_STORAGE);
export const storeKey = (key) => sessionStorage.setItem(KEY_STORAGE, key);
export const forgetKey = () => sessionStorage.removeItem(KEY_STORAGE);

export class ApiError extends Error {
  constructor(status, title, message, code) {
    super(message);
    this.status = status;
    this.title = title;
    this.code = code;
  }
}

const TITLES = { 400: 'The request was refused', 401: 'Your key was refused', 403: 'Not allowed with this key', 404: 'Not found', 429: 'Too many requests', 503: 'The agent is not ready' };

/** Listeners told when a call comes back 401 (the key was revoked or the server restarted with other keys). */
const unauthorizedListeners = new Set();
export const onUnauthorized = (listener) => unauthorizedListeners.add(listener);

async function errorOf(response) {
  let message = `${response.status} ${response.statusText}`;
  let code;
  try {
    const body = await response.json();
    message = body?.error?.message ?? message;
    code = body?.error?.code;
  } catch {
    // Not JSON: keep the status line.
  }
  return new ApiError(response.status, TITLES[response.status] ?? 'The server answered with an error', message, code);
}

/** fetch with the key; network failures become an ApiError that says the server is unreachable. */
export async function call(path, init = {}, key = storedKey()) {
  let response;
  try {
    response = await fetch(path, { ...init, headers: { ...(init.headers ?? {}), ...(key ? { authorization: `Bearer ${key}` } : {}) } });
  } catch (error) {
    if (error?.name === 'AbortError') throw error;
    throw new ApiError(0, 'The server cannot be reached', 'Check that the agent is running; the Studio retries when you try again.');
  }
  if (!response.ok) {
    const error = await errorOf(response);
    if (response.status === 401 && key && key === storedKey()) for (const listener of unauthorizedListeners) listener(error);
    throw error;
  }
  return response;
}

export async function getJson(path, init, key) {
  return (await call(path, init, key)).json();
}

/** A Studio API route with query parameters (empty ones left out). */
export function studio(route, params = {}, init) {
  const query = new URLSearchParams(Object.entries(params).filter(([, value]) => value !== undefined && value !== null && value !== ''));
  const text = query.toString();
  return getJson(`${API_PATH}${route}${text ? `?${text}` : ''}`, init);
}

/** Reads a Server-Sent Events body, calling onEvent(type, data) per message; resolves when it ends. */
export async function readEvents(response, onEvent, signal) {
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  const cancel = () => reader.cancel().catch(() => {});
  signal?.addEventListener('abort', cancel, { once: true });
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let boundary = buffer.search(/\r?\n\r?\n/);
      while (boundary !== -1) {
        const block = buffer.slice(0, boundary);
        buffer = buffer.slice(boundary).replace(/^\r?\n\r?\n/, '');
        let event = 'message';
        const data = [];
        for (const line of block.split(/\r?\n/)) {
          if (line.startsWith(':')) continue;
          const colon = line.indexOf(':');
          const name = colon === -1 ? line : line.slice(0, colon);
          const content = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (name === 'event') event = content;
          else if (name === 'data') data.push(content);
        }
        if (data.length > 0) {
          let parsed;
          try {
            parsed = JSON.parse(data.join('\n'));
          } catch {
            parsed = data.join('\n');
          }
          onEvent(event, parsed);
        }
        boundary = buffer.search(/\r?\n\r?\n/);
      }
    }
  } finally {
    signal?.removeEventListener('abort', cancel);
  }
}
