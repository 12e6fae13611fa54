import { expect } from 'chai';
import { startBanner } from '../../../../runtime/cli/start-banner.ts';

describe('startBanner', () => {
  const base = { version: '1.0.0', transport: 'native', url: 'http://127.0.0.1:4000' };

  it('prints a token the hub created on this start, once', () => {
    const text = startBanner({ ...base, adminToken: 'created-token', adminTokenCreated: true }).join('\n');
    expect(text).to.include('#token=created-token');
  });

  it('never prints the operator token from AGENTCOM_ADMIN_TOKEN', () => {
    const text = startBanner({ ...base, adminToken: 'operator-secret', adminTokenCreated: false }).join('\n');
    expect(text).not.to.include('operator-secret');
    expect(text).to.include('sign in with an admin token');
  });
});
