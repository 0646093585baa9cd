import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultDemoDataDir, demoDataDir } from './data-dir.js';

describe('the demo data directory', () => {
  it('is one per port under $XDG_STATE_HOME, else ~/.local/state', () => {
    expect(defaultDemoDataDir(8080, { XDG_STATE_HOME: '/var/state' }, '/home/ada')).toBe('/var/state/orrery/demo-8080');
    expect(defaultDemoDataDir(9080, {}, '/home/ada')).toBe('/home/ada/.local/state/orrery/demo-9080');
    // A relative XDG_STATE_HOME is invalid by the spec and ignored.
    expect(defaultDemoDataDir(8080, { XDG_STATE_HOME: 'state' }, '/home/ada')).toBe(
      '/home/ada/.local/state/orrery/demo-8080',
    );
  });

  it('follows --data-dir, and is none with --ephemeral', () => {
    expect(demoDataDir({ ephemeral: false }, 8080, {}, '/home/ada')).toBe('/home/ada/.local/state/orrery/demo-8080');
    expect(demoDataDir({ dataDir: 'here', ephemeral: false }, 8080, {}, '/home/ada')).toBe(path.resolve('here'));
    expect(demoDataDir({ ephemeral: true }, 8080, {}, '/home/ada')).toBeUndefined();
  });
});
