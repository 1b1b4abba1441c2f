/**
 * The admin API, called with the token the login form stored in this tab's
 * sessionStorage: it never appears in a URL, and closing the tab forgets it.
 */
const TOKEN_KEY = 'offerd.adminToken';

export const session = {
  token: () => sessionStorage.getItem(TOKEN_KEY),
  signIn: (token) => sessionStorage.setItem(TOKEN_KEY, token),
  signOut: () => sessionStorage.removeItem(TOKEN_KEY),
};

/** An answer the page can show: the API's own error message, or what went wrong on the way. */
export class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

/**
 * The API's message and each field it names: "Invalid input" alone hid the reason the API
 * gave (a draft folder with no directory on the server said only "Invalid input (HTTP 400)").
 */
function errorMessage(status, body) {
  const error = body && typeof body === 'object' ? (body.error ?? body) : null;
  const message = error && typeof error === 'object' ? error.message : null;
  if (!message) return `HTTP ${status}`;
  const fields = Array.isArray(error.fields) ? error.fields : [];
  const said = fields.map((f) => (f.field ? `${f.field}: ${f.message}` : f.message)).filter(Boolean);
  return said.length > 0 ? `${message} (HTTP ${status}): ${said.join('; ')}` : `${message} (HTTP ${status})`;
}

/**
 * Calls the admin API; a 401/403 signs the tab out so the login form shows again. Any other
 * status that is not 2xx is an ApiError with the API's message, unless the caller names it in
 * `answers` (a reload's 422 carries its outcomes, which the Apps page shows): a 422 taken as an
 * answer everywhere left the Impact page blank when the candidate did not load.
 */
export async function api(method, path, body, { answers = [] } = {}) {
  const headers = { Authorization: `Bearer ${session.token() ?? ''}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const type = res.headers.get('content-type') ?? '';
  const parsed = type.includes('json') && text ? JSON.parse(text) : text;
  if (res.status === 401 || res.status === 403) {
    session.signOut();
    window.dispatchEvent(new Event('offerd:signed-out'));
  }
  if (!res.ok && !(answers.includes(res.status) && parsed && typeof parsed === 'object')) {
    throw new ApiError(res.status, errorMessage(res.status, parsed), parsed);
  }
  return { status: res.status, body: parsed, headers: res.headers };
}
