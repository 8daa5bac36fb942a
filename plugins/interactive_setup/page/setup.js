// The first-run setup page. Plain JavaScript, no libraries: four steps, each a form, with
// every error shown next to the field it names (the server names fields as
// "code", "connection.url", "admin.password", ...).
'use strict';

const api = '/internal/interactive_setup';
const params = new URLSearchParams(window.location.search);
const state = { code: '', step: 'code' };

// Only same-site paths: `next` must never send the browser elsewhere.
function safeNext() {
  const next = params.get('next');
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  return next;
}

const $ = (id) => document.getElementById(id);

// Server field name → the input that shows its error, and the step it is on.
const fieldInputs = {
  'code': ['code', 'code'],
  'connection': ['path', 'connection'],
  'connection.type': ['path', 'connection'],
  'connection.path': ['path', 'connection'],
  'connection.url': ['url', 'connection'],
  'connection.username': ['remote-username', 'connection'],
  'connection.password': ['remote-password', 'connection'],
  'connection.apiKey': ['api-key', 'connection'],
  'connection.certificateAuthority': ['ca-file', 'connection'],
  'admin': ['admin-username', 'admin'],
  'admin.username': ['admin-username', 'admin'],
  'admin.password': ['admin-password', 'admin'],
};

function showStep(step) {
  state.step = step;
  for (const section of document.querySelectorAll('section[data-step]')) {
    section.hidden = section.dataset.step !== step;
  }
  for (const item of document.querySelectorAll('.steps li')) {
    if (item.dataset.step === step) item.setAttribute('aria-current', 'step');
    else item.removeAttribute('aria-current');
  }
  const title = $('step-' + step + '-title');
  if (title) title.focus();
}

function setError(inputId, message) {
  const input = $(inputId);
  const error = $(inputId + '-error');
  if (!input || !error) return;
  error.textContent = message || '';
  error.hidden = !message;
  if (message) input.setAttribute('aria-invalid', 'true');
  else input.removeAttribute('aria-invalid');
}

function clearErrors(container) {
  for (const error of container.querySelectorAll('.error')) {
    error.textContent = '';
    error.hidden = true;
  }
  for (const input of container.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
}

function showPageError(message) {
  const banner = $('page-error');
  banner.textContent = message || '';
  banner.hidden = !message;
}

async function call(path, body) {
  let response;
  try {
    response = await fetch(api + path, {
      method: body === undefined ? 'GET' : 'POST',
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    });
  } catch (e) {
    return { ok: false, status: 0, body: { message: 'Orrery did not answer: is it still running?' } };
  }
  let parsed = {};
  try { parsed = await response.json(); } catch (e) { parsed = { message: 'Unexpected answer (HTTP ' + response.status + ').' }; }
  return { ok: response.ok, status: response.status, body: parsed };
}

// Puts a server error next to its field (switching to that field's step), or on the page.
function showServerError(result, fallbackInput) {
  const attributes = result.body.attributes || {};
  const message = result.body.message || 'Something went wrong (HTTP ' + result.status + ').';
  const target = fieldInputs[attributes.field];
  if (attributes.attemptsLeft === 0) lockCode();
  if (target) {
    if (state.step !== target[1]) showStep(target[1]);
    setError(target[0], message);
    $(target[0]).focus();
  } else if (fallbackInput) {
    setError(fallbackInput, message);
  } else {
    showPageError(message);
  }
}

function lockCode() {
  $('code').disabled = true;
  $('verify').disabled = true;
}

function connection() {
  const type = document.querySelector('input[name="type"]:checked').value;
  if (type === 'embedded') return { type, path: $('path').value.trim() };
  const auth = document.querySelector('input[name="auth"]:checked').value;
  const remote = { type, url: $('url').value.trim() };
  if (auth === 'basic') {
    remote.username = $('remote-username').value;
    remote.password = $('remote-password').value;
  } else if (auth === 'apiKey') {
    remote.apiKey = $('api-key').value.trim();
  }
  const ca = $('ca-file').value.trim();
  if (ca) remote.certificateAuthority = ca;
  return remote;
}

function admin() {
  return { username: $('admin-username').value.trim(), password: $('admin-password').value };
}

// The same rule the server applies (password_rule.cpp), checked here for a quick answer.
function passwordProblem(password, username) {
  const length = Array.from(password).length;
  if (length < 12) return 'The password is too short: ' + length + ' characters, at least 12 are needed.';
  if (length > 256) return 'The password is too long: at most 256 characters.';
  const kinds = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/].filter((re) => re.test(password)).length;
  if (kinds < 3) return 'The password is too weak: use at least three of lowercase letters, uppercase letters, digits and other characters.';
  if (username && password.toLowerCase().includes(username.toLowerCase())) return 'The password must not contain the username.';
  return '';
}

function updateConnectionFields() {
  const remote = $('type-remote').checked;
  $('embedded-fields').hidden = remote;
  $('remote-fields').hidden = !remote;
  const auth = document.querySelector('input[name="auth"]:checked').value;
  $('basic-fields').hidden = auth !== 'basic';
  $('apikey-fields').hidden = auth !== 'apiKey';
}

function summary() {
  const c = connection();
  const rows = c.type === 'embedded'
    ? [['Data connection', 'Embedded engine'], ['Data folder', c.path]]
    : [['Data connection', 'Remote cluster'], ['URL', c.url],
       ['Authentication', c.apiKey ? 'API key' : c.username ? 'User ' + c.username : 'None']];
  rows.push(['Administrator', admin().username]);
  const list = $('summary');
  list.replaceChildren();
  for (const [term, value] of rows) {
    const dt = document.createElement('dt');
    dt.textContent = term;
    const dd = document.createElement('dd');
    dd.textContent = value;
    list.append(dt, dd);
  }
}

// `outcome`: true (the check passed), false (it failed) or null (still running: neither
// green nor red, so nobody — person or test — reads "Checking…" as a success).
function showCheck(message, outcome) {
  const banner = $('check-result');
  banner.textContent = message;
  banner.classList.toggle('success', outcome === true);
  banner.classList.toggle('error', outcome === false);
  banner.setAttribute('aria-busy', outcome === null ? 'true' : 'false');
  banner.hidden = false;
}

async function waitForOrrery() {
  // The main server answers /api/status once Orrery has started; before that the port
  // answers 503 (starting) or briefly not at all.
  for (;;) {
    try {
      const response = await fetch('/api/status', { cache: 'no-store' });
      if (response.ok) {
        window.location.assign(safeNext());
        return;
      }
    } catch (e) { /* between servers: try again */ }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

async function start() {
  $('code').value = (params.get('code') || '').replace(/[^0-9]/g, '').slice(0, 6);
  const status = await call('/status');
  if (!status.ok) {
    showPageError(status.body.message || 'Setup is not available.');
    for (const section of document.querySelectorAll('section[data-step]')) section.hidden = true;
    return;
  }
  $('path').value = status.body.defaults.dataFolder;
  $('password-rule').textContent = status.body.passwordRule;
  if (status.body.locked) {
    lockCode();
    setError('code', 'Setup is locked after 5 wrong verification codes: restart Orrery to get a new code.');
  }
  showStep('code');
}

$('form-code').addEventListener('submit', async (event) => {
  event.preventDefault();
  clearErrors($('form-code'));
  showPageError('');
  const code = $('code').value.trim();
  if (!/^[0-9]{6}$/.test(code)) {
    setError('code', 'The verification code is six digits.');
    return;
  }
  const result = await call('/verify', { code });
  if (!result.ok) {
    showServerError(result, 'code');
    return;
  }
  state.code = code;
  showStep('connection');
});

for (const input of document.querySelectorAll('input[name="type"], input[name="auth"]')) {
  input.addEventListener('change', updateConnectionFields);
}

$('form-connection').addEventListener('submit', (event) => {
  event.preventDefault();
  clearErrors($('form-connection'));
  const c = connection();
  if (c.type === 'embedded' && !c.path) return setError('path', 'The data folder is required.');
  if (c.type === 'remote' && !/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/.test(c.url)) {
    return setError('url', 'The URL must start with http:// or https://, without a query or fragment.');
  }
  showStep('admin');
});

$('form-admin').addEventListener('submit', (event) => {
  event.preventDefault();
  clearErrors($('form-admin'));
  const { username, password } = admin();
  if (!username) return setError('admin-username', 'The username is required.');
  const problem = passwordProblem(password, username);
  if (problem) {
    setError('admin-password', problem);
    $('admin-password').focus();
    return;
  }
  if ($('admin-confirm').value !== password) {
    setError('admin-confirm', 'The two passwords differ.');
    $('admin-confirm').focus();
    return;
  }
  summary();
  $('check-result').hidden = true;
  showStep('save');
});

for (const button of document.querySelectorAll('[data-back]')) {
  button.addEventListener('click', () => showStep(button.dataset.back));
}

$('check').addEventListener('click', async () => {
  $('save-error').hidden = true;
  $('check').disabled = true;
  showCheck('Checking…', null);
  const result = await call('/check_connection', { code: state.code, connection: connection() });
  $('check').disabled = false;
  if (result.ok) showCheck(result.body.message, true);
  else showCheck(result.body.message || 'The check failed.', false);
});

$('save').addEventListener('click', async () => {
  const error = $('save-error');
  error.hidden = true;
  $('save').disabled = true;
  const result = await call('/configure', { code: state.code, connection: connection(), admin: admin() });
  $('save').disabled = false;
  if (!result.ok) {
    // A connection problem belongs to the check result; a field elsewhere to its step;
    // anything else (the config file cannot be written, ...) right here.
    const field = (result.body.attributes || {}).field || '';
    if (field.startsWith('connection')) {
      showCheck(result.body.message, false);
    } else if (fieldInputs[field]) {
      showServerError(result);
    } else {
      error.textContent = result.body.message || 'Saving failed.';
      error.hidden = false;
    }
    return;
  }
  $('done-message').textContent = result.body.message;
  showStep('done');
  waitForOrrery();
});

updateConnectionFields();
start();
