// Preloaded (node --require) by the bad-version image: a fraction of the answers to /api/ requests
// go out as 500 whatever the handler decided. The status is changed where the response head is written, so
// the service's own metrics (read from the response after it is sent) count them as 5xx, as they would
// count a real bug's. Probes are left alone: a bad version that is Ready is what a canary must catch.
'use strict';
const http = require('node:http');

const ratio = Number(process.env.BAD_VERSION_5XX_RATIO ?? '0.3');
const writeHead = http.ServerResponse.prototype.writeHead;
http.ServerResponse.prototype.writeHead = function (status, ...rest) {
  const api = this.req && typeof this.req.url === 'string' && this.req.url.startsWith('/api/');
  return writeHead.call(this, api && Math.random() < ratio ? 500 : status, ...rest);
};
