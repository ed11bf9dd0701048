import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { App } from '../App';
import { mockFetch, page, problem, roles, toronto, denver, user } from '../test/mock-fetch';

const maya = user(3, 'Maya', 'Patel', { mobile_number: '+1 416 555 0100' });
const sam = user(4, 'Sam', 'Lee', { role_ids: [11], type: 'manager' });
const old = user(5, 'Olga', 'Ortiz', { active: false, inactive_reason: 'Moved away' });

function routes() {
  return {
    'GET /api/v1/locations': () => ({ body: page([toronto, denver]) }),
    'GET /api/v1/roles': () => ({ body: page(roles) }),
    'GET /api/v1/users': (c: { url: URL }) => {
      const status = c.url.searchParams.get('status') ?? 'active';
      const q = c.url.searchParams.get('q')?.toLowerCase();
      let list = status === 'all' ? [sam, maya, old] : status === 'inactive' ? [old] : [sam, maya];
      if (q) list = list.filter((u) => `${u.first_name} ${u.last_name}`.toLowerCase().includes(q));
      return { body: page(list) };
    },
  };
}

beforeEach(() => history.replaceState(null, '', '/people'));
afterEach(() => vi.unstubAllGlobals());

const table = () => screen.findByRole('table', { name: /People/ });

describe('people page', () => {
  it('lists people with type, contact, locations and roles', async () => {
    mockFetch(routes());
    render(<App />);
    const t = await table();
    const rows = within(t).getAllByRole('row').slice(1);
    expect(rows.map((r) => within(r).getByRole('rowheader').textContent)).toEqual(['Sam Lee', 'Maya Patel']);
    expect(rows[1]).toHaveTextContent('+1 416 555 0100');
    expect(rows[1]).toHaveTextContent('Queen Street');
    expect(rows[1]).toHaveTextContent('Barista');
    expect(rows[0]).toHaveTextContent('Manager');
    expect(screen.getByRole('link', { name: 'People' })).toHaveAttribute('aria-current', 'page');
  });

  it('searches and filters through the API', async () => {
    const api = mockFetch(routes());
    const ue = userEvent.setup({ delay: null });
    render(<App />);
    await table();
    await ue.type(screen.getByLabelText('Search'), 'maya');
    await waitFor(() =>
      expect(api.find('GET', '/api/v1/users').at(-1)!.url.searchParams.get('q')).toBe('maya'),
    );
    await waitFor(() => expect(screen.queryByText('Sam Lee')).not.toBeInTheDocument());
    await ue.clear(screen.getByLabelText('Search'));
    await ue.selectOptions(screen.getByLabelText('Status'), 'Deactivated');
    expect(await screen.findByText('Moved away')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Reactivate Olga Ortiz' })).toBeInTheDocument();
    await ue.selectOptions(screen.getByLabelText('Type'), 'Manager');
    await waitFor(() =>
      expect(api.find('GET', '/api/v1/users').at(-1)!.url.searchParams.get('type')).toBe('manager'),
    );
    await ue.selectOptions(screen.getByLabelText('Location'), 'Queen Street');
    await waitFor(() =>
      expect(api.find('GET', '/api/v1/users').at(-1)!.url.searchParams.get('location_id')).toBe('1'),
    );
  });

  it('adds a person, and shows a taken email next to the email field', async () => {
    let attempt = 0;
    const api = mockFetch({
      ...routes(),
      'POST /api/v1/users': (c) =>
        ++attempt === 1
          ? { status: 409, body: problem(409, 'email-taken', { param: 'email' }) }
          : { status: 201, body: { ...user(9, 'Noor', 'Haddad'), ...(c.body as object) } },
    });
    const ue = userEvent.setup({ delay: null });
    render(<App />);
    await table();
    await ue.click(screen.getByRole('button', { name: 'Add person' }));
    const dialog = screen.getByRole('dialog', { name: 'Add a person' });
    await ue.click(within(dialog).getByRole('button', { name: 'Add person' }));
    expect(within(dialog).getByText('First name is required.')).toBeInTheDocument();
    expect(api.find('POST', '/api/v1/users')).toHaveLength(0);

    await ue.type(within(dialog).getByLabelText('First name'), 'Noor');
    await ue.type(within(dialog).getByLabelText('Last name'), 'Haddad');
    await ue.type(within(dialog).getByLabelText('Email (optional)'), 'maya@example.com');
    await ue.click(within(dialog).getByRole('checkbox', { name: 'Queen Street' }));
    await ue.click(within(dialog).getByRole('checkbox', { name: 'Cashier' }));
    await ue.click(within(dialog).getByRole('button', { name: 'Add person' }));
    expect(await within(dialog).findByText('Another person already uses this email.')).toBeInTheDocument();
    expect(within(dialog).getByLabelText('Email (optional)')).toHaveAttribute('aria-invalid', 'true');

    await ue.clear(within(dialog).getByLabelText('Email (optional)'));
    await ue.type(within(dialog).getByLabelText('Email (optional)'), 'noor@example.com');
    await ue.click(within(dialog).getByRole('button', { name: 'Add person' }));
    expect(await screen.findByText('Added Noor Haddad.')).toBeInTheDocument();
    const posts = api.find('POST', '/api/v1/users');
    expect(posts[1]!.body).toEqual({
      first_name: 'Noor',
      last_name: 'Haddad',
      email: 'noor@example.com',
      mobile_number: null,
      type: 'employee',
      hire_date: null,
      location_ids: [1],
      role_ids: [11],
    });
    expect(posts[1]!.headers['idempotency-key']).toBeTruthy();
  });

  it('edits a person with If-Match and explains a stale version', async () => {
    const api = mockFetch({
      ...routes(),
      'PATCH /api/v1/users/:id': () => ({ status: 412, body: problem(412, 'version-mismatch') }),
    });
    const ue = userEvent.setup({ delay: null });
    render(<App />);
    await table();
    await ue.click(screen.getByRole('button', { name: 'Edit Maya Patel' }));
    const dialog = screen.getByRole('dialog', { name: 'Edit Maya Patel' });
    await ue.clear(within(dialog).getByLabelText('Last name'));
    await ue.type(within(dialog).getByLabelText('Last name'), 'Singh');
    await ue.click(within(dialog).getByRole('button', { name: 'Save changes' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      'Someone else changed this while you were editing',
    );
    const patch = api.find('PATCH', '/api/v1/users/3')[0]!;
    expect(patch.headers['if-match']).toBe('"3"');
    expect(patch.body).toMatchObject({ last_name: 'Singh' });
  });

  it('deactivates a person with a reason', async () => {
    const api = mockFetch({
      ...routes(),
      'DELETE /api/v1/users/:id': (c) => ({
        body: { ...sam, active: false, ...(c.body as object), opened_shift_ids: [] },
      }),
    });
    const ue = userEvent.setup({ delay: null });
    render(<App />);
    await table();
    await ue.click(screen.getByRole('button', { name: 'Deactivate Sam Lee' }));
    const dialog = screen.getByRole('dialog', { name: 'Deactivate Sam Lee?' });
    expect(within(dialog).getByLabelText('Reason')).toHaveFocus();
    await ue.click(within(dialog).getByRole('button', { name: 'Deactivate' }));
    expect(within(dialog).getByText('A reason is required.')).toBeInTheDocument();
    await ue.type(within(dialog).getByLabelText('Reason'), 'Left the company');
    await ue.click(within(dialog).getByRole('button', { name: 'Deactivate' }));
    expect(await screen.findByText(/Sam Lee is deactivated/)).toBeInTheDocument();
    expect(api.find('DELETE', '/api/v1/users/4')[0]!.body).toEqual({ inactive_reason: 'Left the company' });
  });

  it('shows an empty state and a plain error', async () => {
    mockFetch({
      ...routes(),
      'GET /api/v1/users': (c) =>
        c.url.searchParams.get('q') ? { body: page([]) } : { status: 503, body: problem(503, 'not-ready') },
    });
    const ue = userEvent.setup({ delay: null });
    render(<App />);
    expect(await screen.findByRole('alert')).toHaveTextContent(
      "The server is busy, so we couldn't load the people.",
    );
    await ue.type(screen.getByLabelText('Search'), 'zzz');
    expect(await screen.findByText('Nobody matches these filters.')).toBeInTheDocument();
  });

  it('reactivates a deactivated person', async () => {
    const api = mockFetch({
      ...routes(),
      'PATCH /api/v1/users/:id': (c) => ({
        body: { ...old, active: true, inactive_reason: null, ...(c.body as object) },
      }),
    });
    history.replaceState(null, '', '/people?status=inactive');
    const ue = userEvent.setup({ delay: null });
    render(<App />);
    await ue.click(await screen.findByRole('button', { name: 'Reactivate Olga Ortiz' }));
    expect(await screen.findByText('Olga Ortiz is active again.')).toBeInTheDocument();
    const patch = api.find('PATCH', '/api/v1/users/5')[0]!;
    expect(patch.body).toEqual({ active: true });
    expect(patch.headers['if-match']).toBe('"3"');
  });
});
