import { afterEach, expect, vi } from 'vitest';
import { cleanup } from '@testing-library/react';
import '@testing-library/jest-dom/vitest';
import { takeContractViolations } from './mock-fetch';

afterEach(() => {
  cleanup();
  localStorage.clear();
  // A scripted reply the services could never send fails the test that scripted it.
  expect(takeContractViolations(), 'replies scripted in mock-fetch that break the contract').toEqual([]);
});

// jsdom has no <dialog> methods: give it the bare minimum so components behave as in a browser.

const proto = HTMLDialogElement.prototype as HTMLDialogElement & { __polyfilled?: boolean };
if (typeof proto.showModal !== 'function') {
  proto.showModal = function showModal(this: HTMLDialogElement) {
    this.setAttribute('open', '');
  };
  proto.show = function show(this: HTMLDialogElement) {
    this.setAttribute('open', '');
  };
  proto.close = function close(this: HTMLDialogElement) {
    this.removeAttribute('open');
    this.dispatchEvent(new Event('close'));
  };
}

// The component tests are signed in already: the sign-in redirect itself is the browser tests' business
// (test/system/browser), against the real issuer.
vi.mock('../auth', () => ({
  signedIn: vi.fn(async () => ({
    access_token: 'test-token',
    expired: false,
    profile: { email: 'admin@example.com' },
  })),
  accessToken: vi.fn(async () => 'test-token'),
  renewOrSignIn: vi.fn(async () => false),
  signOut: vi.fn(async () => undefined),
  onSessionLost: vi.fn(() => () => undefined),
}));
