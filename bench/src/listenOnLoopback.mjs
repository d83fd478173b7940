// Preloaded (node --import) into upstream servers started by tests: binds any HTTP listener to
// 127.0.0.1 and reports the real port on stderr, so PORT=0 works and tests learn the port.
import http from 'node:http';

const listen = http.Server.prototype.listen;
http.Server.prototype.listen = function (...args) {
  this.once('listening', () => {
    process.stderr.write(`TEST_LISTENING ${this.address().port}\n`);
  });
  if (typeof args[0] === 'number' || typeof args[0] === 'string') {
    const callback = args.find((a) => typeof a === 'function');
    return listen.call(this, Number(args[0]), '127.0.0.1', callback);
  }
  return listen.apply(this, args);
};
