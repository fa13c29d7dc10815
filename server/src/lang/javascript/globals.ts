/**
 * Names that can be globals a rule or the data flow cares about: the ECMAScript, Node.js and browser
 * globals, and the globals that well-known libraries install. A call through any other name that the
 * file does not declare is an unknown global: resolving whether it is local (a scope question that
 * costs a pass over the file's declarations) cannot change any answer, so it is skipped.
 */
export const KNOWN_GLOBALS: ReadonlySet<string> = new Set([
  // ECMAScript
  'Object', 'Function', 'Array', 'Number', 'parseFloat', 'parseInt', 'Infinity', 'NaN', 'undefined', 'Boolean',
  'String', 'Symbol', 'Date', 'Promise', 'RegExp', 'Error', 'JSON', 'Math', 'Intl', 'ArrayBuffer', 'Uint8Array',
  'DataView', 'Map', 'BigInt', 'Set', 'WeakMap', 'WeakSet', 'Proxy', 'Reflect', 'decodeURI', 'decodeURIComponent',
  'encodeURI', 'encodeURIComponent', 'escape', 'unescape', 'eval', 'isFinite', 'isNaN', 'globalThis', 'Atomics',
  'SharedArrayBuffer', 'WebAssembly', 'structuredClone', 'queueMicrotask',
  // Node.js
  'console', 'process', 'global', 'Buffer', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval',
  'setTimeout', 'clearTimeout', 'require', 'module', 'exports', '__dirname', '__filename', 'URL', 'URLSearchParams',
  'TextEncoder', 'TextDecoder', 'atob', 'btoa', 'fetch', 'FormData', 'Headers', 'Request', 'Response', 'crypto',
  'Crypto', 'performance', 'AbortController', 'Blob', 'File', 'MessageChannel', 'BroadcastChannel', 'WebSocket',
  'EventSource',
  // browsers and workers
  'window', 'self', 'top', 'parent', 'frames', 'opener', 'document', 'location', 'history', 'navigator', 'name',
  'localStorage', 'sessionStorage', 'indexedDB', 'caches', 'alert', 'confirm', 'prompt', 'open', 'postMessage',
  'importScripts', 'execScript', 'XMLHttpRequest', 'DOMParser', 'XMLSerializer', 'Worker', 'SharedWorker',
  'Range', 'Document', 'Element', 'HTMLElement', 'Node', 'Image', 'Option', 'Audio', 'Notification', 'origin',
  'trustedTypes', 'Sanitizer', 'customElements', 'Deno', 'Bun',
  // libraries that install globals
  '$', 'jQuery', 'DOMPurify', 'angular', '_', 'Handlebars', 'Mustache', 'ejs', 'marked', 'Vue', 'React',
  'ReactDOM', 'CryptoJS', 'forge', 'sjcl', 'moment', 'axios', 'io', 'Backbone', 'ko', 'Ember', 'validator', 'he',
  'sanitizeHtml', 'filterXSS', 'escapeHtml', 'jsyaml', 'libxmljs', 'serialize',
]);
