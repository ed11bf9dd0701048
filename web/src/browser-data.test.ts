import { describe, expect, it } from 'vitest';
import { forgetBrowserData } from './browser-data';

describe('forgetBrowserData', () => {
  it("removes everything the board kept (profile, locations, last location, roles) and nothing else's", () => {
    localStorage.setItem('shiftstack.me', JSON.stringify({ id: 1, first_name: 'Kate' }));
    localStorage.setItem('shiftstack.locations', '[]');
    localStorage.setItem('shiftstack.location', '3');
    localStorage.setItem('shiftstack.roles.3', '[]');
    localStorage.setItem('another-app', 'kept');
    forgetBrowserData();
    expect(Object.keys({ ...localStorage })).toEqual(['another-app']);
    localStorage.clear();
  });
});
