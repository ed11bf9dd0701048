import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { App } from '../App';
import {
  mockFetch,
  page,
  problem,
  roles,
  shift,
  testAdmin,
  timeOff,
  toronto,
  denver,
  user,
  type Call,
} from '../test/mock-fetch';

// "Today" is Wednesday 12 November 2025, 10:00 in Toronto. The week is Mon 10 - Sun 16 Nov.
const NOW = new Date('2025-11-12T15:00:00Z');
const WEEK_START = '2025-11-10T05:00:00Z';
const WEEK_END = '2025-11-17T05:00:00Z';

const maya = user(3, 'Maya', 'Patel');
const sam = user(4, 'Sam', 'Lee', { role_ids: [11] });
const people = [sam, maya];

function baseRoutes(
  shifts = [
    shift(100, 3, '2025-11-12T14:00:00Z', '2025-11-12T22:00:00Z', {
      assignee: { id: 3, first_name: 'Maya', last_name: 'Patel' },
    }),
    shift(101, 4, '2025-11-13T14:00:00Z', '2025-11-13T18:00:00Z', {
      status: 'draft',
      role_id: 11,
      published_at: null,
    }),
    shift(102, null, '2025-11-14T21:00:00Z', '2025-11-15T03:00:00Z', { role_id: 10 }),
  ],
) {
  return {
    'GET /api/v1/locations': () => ({ body: page([toronto, denver]) }),
    'GET /api/v1/roles': () => ({ body: page(roles) }),
    'GET /api/v1/users': () => ({ body: page(people) }),
    'GET /api/v1/shifts': (c: Call) =>
      c.url.searchParams.get('start[gte]') === WEEK_START ? { body: page(shifts) } : { body: page([]) },
  };
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(NOW);
  history.replaceState(null, '', '/?location=1');
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

/** Sam signed in as an employee of location 1. */
const samAsEmployee = {
  ...testAdmin,
  id: 3,
  first_name: 'Sam',
  type: 'employee',
  access: 'employee',
  location_ids: [1],
};

const board = () => screen.findByRole('table', { name: /Shifts, week of 10 – 16 Nov 2025/ });
const rowOf = (name: string) =>
  screen.getByRole('rowheader', { name: new RegExp(name) }).closest('[role="row"]') as HTMLElement;

describe('week board', () => {
  it('shows one row per person plus open shifts, one column per day, with times, roles and drafts marked', async () => {
    const api = mockFetch(baseRoutes());
    render(<App />);
    const table = await board();
    expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent('10 – 16 Nov 2025');
    const headers = within(table)
      .getAllByRole('columnheader')
      .map((h) => h.textContent);
    expect(headers).toEqual([
      'Person',
      'Mon 10 Nov',
      'Tue 11 Nov',
      'Wed 12 NovToday',
      'Thu 13 Nov',
      'Fri 14 Nov',
      'Sat 15 Nov',
      'Sun 16 Nov',
    ]);
    const rowNames = within(table)
      .getAllByRole('rowheader')
      .map((h) => h.querySelector('.row-name')?.textContent);
    expect(rowNames).toEqual(['Open shifts', 'Sam Lee', 'Maya Patel']);

    // Maya's published shift on Wednesday, in Toronto time.
    const mayaCells = within(rowOf('Maya Patel')).getAllByRole('cell');
    expect(mayaCells[2]).toHaveTextContent('09:00–17:00');
    expect(mayaCells[2]).toHaveTextContent('Barista');
    expect(mayaCells[2]).not.toHaveTextContent('Draft');
    // Sam's draft on Thursday carries a printed label, not only a colour.
    const samShift = within(rowOf('Sam Lee')).getByRole('button', {
      name: 'Sam Lee, Thu 13 Nov, 09:00–13:00 Cashier Draft',
    });
    expect(samShift).toHaveTextContent('Draft');
    expect(samShift.className).toContain('draft');
    // The open overnight shift sits in the open row on Friday.
    expect(within(rowOf('Open shifts')).getAllByRole('cell')[4]).toHaveTextContent('16:00–22:00');
    expect(screen.getByRole('button', { name: 'Publish week (1 draft)' })).toBeEnabled();

    const shiftsCall = api.find('GET', '/api/v1/shifts')[0]!;
    expect(shiftsCall.url.searchParams.get('location_id')).toBe('1');
    expect(shiftsCall.url.searchParams.get('start[lt]')).toBe(WEEK_END);
  });

  it('moves between weeks and back to today, and filters by role', async () => {
    const api = mockFetch(baseRoutes());
    const ue = userEvent.setup({ delay: null });
    render(<App />);
    await board();
    await ue.click(screen.getByRole('button', { name: 'Next week' }));
    await screen.findByRole('table', { name: /17 – 23 Nov 2025/ });
    expect(api.find('GET', '/api/v1/shifts').at(-1)!.url.searchParams.get('start[gte]')).toBe(
      '2025-11-17T05:00:00Z',
    );
    expect(await screen.findByText(/No shifts this week yet/)).toBeInTheDocument();
    expect(location.search).toBe('?location=1&week=2025-11-17');

    await ue.click(screen.getByRole('button', { name: 'Previous week' }));
    await ue.click(screen.getByRole('button', { name: 'Previous week' }));
    await screen.findByRole('table', { name: /3 – 9 Nov 2025/ });
    await ue.click(screen.getByRole('button', { name: 'Today' }));
    await board();

    await ue.selectOptions(screen.getByLabelText('Role'), 'Cashier');
    await waitFor(() => expect(screen.queryByText('09:00–17:00')).not.toBeInTheDocument());
    expect(screen.getByText('09:00–13:00')).toBeInTheDocument();
  });

  it('creates a draft shift from an empty cell, in the location time zone', async () => {
    const routes = baseRoutes();
    const api = mockFetch({
      ...routes,
      'POST /api/v1/shifts': (c) => ({
        status: 201,
        body: { ...shift(200, 3, '', ''), ...(c.body as object) },
      }),
    });
    const ue = userEvent.setup({ delay: null });
    render(<App />);
    await board();
    await ue.click(
      within(rowOf('Maya Patel')).getByRole('button', {
        name: 'Add a shift for Maya Patel on Monday 10 November',
      }),
    );
    const dialog = screen.getByRole('dialog', { name: 'New shift for Maya Patel' });
    expect(within(dialog).getByLabelText('Person')).toHaveValue('3');
    expect(within(dialog).getByLabelText('Person')).toHaveFocus();
    await ue.clear(within(dialog).getByLabelText('Start'));
    await ue.type(within(dialog).getByLabelText('Start'), '07:30');
    await ue.clear(within(dialog).getByLabelText('End'));
    await ue.type(within(dialog).getByLabelText('End'), '15:30');
    await ue.type(within(dialog).getByLabelText('Notes'), 'Open the store');
    await ue.click(within(dialog).getByRole('button', { name: 'Add shift' }));

    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    const post = api.find('POST', '/api/v1/shifts')[0]!;
    expect(post.body).toEqual({
      location_id: 1,
      role_id: 10,
      user_id: 3,
      start: '2025-11-10T12:30:00Z',
      end: '2025-11-10T20:30:00Z',
      break_minutes: 30,
      notes: 'Open the store',
      status: 'draft',
    });
    expect(post.headers['idempotency-key']).toBeTruthy();
    expect(
      await screen.findByText(/Added a draft shift for Maya Patel, Mon 10 Nov, 07:30–15:30/),
    ).toBeInTheDocument();
    // The board reloads after a change.
    await waitFor(() => expect(api.find('GET', '/api/v1/shifts').length).toBe(2));
  });

  it('explains an overlap in the dialog with the person and the conflicting shift', async () => {
    mockFetch({
      ...baseRoutes(),
      'POST /api/v1/shifts': () => ({
        status: 409,
        body: problem(409, 'shift-overlap', {
          detail: 'overlaps shift 100',
          conflicting_shift_ids: [100],
          conflicts: [{ id: 100, user_id: 3, start: '2025-11-12T14:00:00Z', end: '2025-11-12T22:00:00Z' }],
        }),
      }),
    });
    const ue = userEvent.setup({ delay: null });
    render(<App />);
    await board();
    await ue.click(
      within(rowOf('Maya Patel')).getByRole('button', { name: /Add a shift for Maya Patel on Wednesday/ }),
    );
    const dialog = screen.getByRole('dialog');
    await ue.click(within(dialog).getByRole('button', { name: 'Add shift' }));
    const alert = await within(dialog).findByRole('alert');
    expect(alert).toHaveTextContent(
      "Maya Patel already works Wed 12 Nov, 09:00–17:00. One person can't have two shifts at the same time",
    );
    expect(within(dialog).getByLabelText('Start')).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByRole('dialog')).toBeInTheDocument();
  });

  it('assigns an open shift with If-Match, and deletes a shift after confirming', async () => {
    const api = mockFetch({
      ...baseRoutes(),
      'PATCH /api/v1/shifts/:id': (c) => ({
        body: { ...shift(102, 4, '2025-11-14T21:00:00Z', '2025-11-15T03:00:00Z'), ...(c.body as object) },
      }),
      'DELETE /api/v1/shifts/:id': () => ({ status: 204 }),
    });
    const ue = userEvent.setup({ delay: null });
    render(<App />);
    await board();
    await ue.click(
      screen.getByRole('button', { name: /^Open shifts, Fri 14 Nov, 16:00–22:00 Barista Published$/ }),
    );
    let dialog = screen.getByRole('dialog', { name: 'Edit shift' });
    expect(dialog).toHaveTextContent('Published: staff can see it');
    await ue.selectOptions(within(dialog).getByLabelText('Person'), 'Sam Lee');
    await ue.click(within(dialog).getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    const patch = api.find('PATCH', '/api/v1/shifts/102')[0]!;
    expect(patch.body).toEqual({ user_id: 4 });
    expect(patch.headers['if-match']).toBe('"1"');

    await ue.click(screen.getByRole('button', { name: /^Maya Patel, Wed 12 Nov, 09:00–17:00/ }));
    dialog = screen.getByRole('dialog', { name: 'Edit shift' });
    await ue.click(within(dialog).getByRole('button', { name: 'Delete shift' }));
    await ue.click(within(dialog).getByRole('button', { name: 'Yes, delete it' }));
    await waitFor(() => expect(api.find('DELETE', '/api/v1/shifts/100')).toHaveLength(1));
    expect(await screen.findByText('Deleted the shift on Wed 12 Nov.')).toBeInTheDocument();
  });

  it('closes the dialog with Escape without saving', async () => {
    const api = mockFetch(baseRoutes());
    const ue = userEvent.setup({ delay: null });
    render(<App />);
    await board();
    await ue.click(within(rowOf('Sam Lee')).getAllByRole('button', { name: /Add a shift/ })[0]!);
    expect(screen.getByRole('dialog')).toBeInTheDocument();
    await ue.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(api.find('POST', '/api/v1/shifts')).toHaveLength(0);
  });

  it('publishes the week shown and says how many shifts were published', async () => {
    const api = mockFetch({
      ...baseRoutes(),
      'POST /api/v1/shifts/publish': (c) => ({
        body: { ...(c.body as object), published_count: 1, shift_ids: [101], held_back_shift_ids: [] },
      }),
    });
    const ue = userEvent.setup({ delay: null });
    render(<App />);
    await board();
    await ue.click(screen.getByRole('button', { name: /Publish week/ }));
    // First a summary of what will be published; nothing is sent until it is confirmed.
    const summary = await screen.findByRole('dialog', { name: /Publish the week of/ });
    expect(summary).toHaveTextContent(/draft shift/);
    expect(api.find('POST', '/api/v1/shifts/publish')).toHaveLength(0);
    await ue.click(within(summary).getByRole('button', { name: /^Publish \d+ shift/ }));
    expect(
      await screen.findByText(/Published 1 shift\. Everyone can now see the week of 10 – 16 Nov 2025/),
    ).toBeInTheDocument();
    expect(api.find('POST', '/api/v1/shifts/publish')[0]!.body).toEqual({
      location_id: 1,
      start: WEEK_START,
      end: WEEK_END,
    });
  });

  it("shows each person's time off in their row: approved, or only asked for", async () => {
    const api = mockFetch({
      ...baseRoutes(),
      'GET /api/v1/time-off': () => ({
        body: page([
          timeOff(1, 4, '2025-11-14', '2025-11-15', { status: 'approved' }),
          timeOff(2, 3, '2025-11-16', '2025-11-16'),
        ]),
      }),
    });
    render(<App />);
    await board();
    const cells = (name: string) => within(rowOf(name)).getAllByRole('cell');
    expect(cells('Sam Lee')[4]).toHaveTextContent('Time off');
    expect(cells('Sam Lee')[5]).toHaveTextContent('Time off');
    expect(cells('Sam Lee')[3]).not.toHaveTextContent('Time off');
    expect(cells('Maya Patel')[6]).toHaveTextContent('Time off asked');
    const asked = api.find('GET', '/api/v1/time-off')[0]!.url.searchParams;
    expect([asked.get('location_id'), asked.get('from'), asked.get('to')]).toEqual([
      '1',
      '2025-11-10',
      '2025-11-16',
    ]);
  });

  it('a manager approves time off someone asked for, from their row', async () => {
    const asked = timeOff(7, 4, '2025-11-14', '2025-11-14', { reason: 'Dentist' });
    const api = mockFetch({
      ...baseRoutes(),
      'GET /api/v1/time-off': () => ({ body: page([asked]) }),
      'PATCH /api/v1/time-off/7': (c) => ({ body: { ...asked, ...(c.body as object), version: 2 } }),
    });
    const ue = userEvent.setup({ delay: null });
    render(<App />);
    await board();
    await ue.click(
      within(rowOf('Sam Lee')).getByRole('button', { name: 'Time off asked by Sam Lee: approve or decline' }),
    );
    const dialog = await screen.findByRole('dialog', { name: 'Time off for Sam Lee' });
    expect(dialog).toHaveTextContent('Sam Lee asked for time off Friday 14 November: Dentist');
    await ue.click(within(dialog).getByRole('button', { name: 'Approve' }));
    expect(await screen.findByText("Approved Sam Lee's time off Friday 14 November.")).toBeInTheDocument();
    const patch = api.find('PATCH', '/api/v1/time-off/7')[0]!;
    expect([patch.body, patch.headers['if-match']]).toEqual([{ status: 'approved' }, '"1"']);
  });

  it('a manager records time off for someone from their row, approved at once', async () => {
    const api = mockFetch({
      ...baseRoutes(),
      'POST /api/v1/time-off': (c) => {
        const b = c.body as { user_id: number; start_date: string; end_date: string };
        return { status: 201, body: timeOff(11, b.user_id, b.start_date, b.end_date) };
      },
      'PATCH /api/v1/time-off/11': (c) => ({
        body: { ...timeOff(11, 4, '2025-11-14', '2025-11-14'), ...(c.body as object), version: 2 },
      }),
    });
    const ue = userEvent.setup({ delay: null });
    render(<App />);
    await board();
    await ue.click(within(rowOf('Sam Lee')).getByRole('button', { name: 'Time off…' }));
    const dialog = await screen.findByRole('dialog', { name: 'Time off for Sam Lee' });
    for (const label of ['First day off', 'Last day off']) {
      const field = within(dialog).getByLabelText(label);
      await ue.clear(field);
      await ue.type(field, '2025-11-14');
    }
    await ue.click(within(dialog).getByRole('button', { name: 'Record time off' }));
    expect(
      await screen.findByText("Recorded Sam Lee's time off Friday 14 November, approved."),
    ).toBeInTheDocument();
    expect(api.find('POST', '/api/v1/time-off')[0]!.body).toEqual({
      user_id: 4,
      start_date: '2025-11-14',
      end_date: '2025-11-14',
    });
    const patch = api.find('PATCH', '/api/v1/time-off/11')[0]!;
    expect([patch.body, patch.headers['if-match']]).toEqual([{ status: 'approved' }, '"1"']);
  });

  it('an employee asks for time off from the board', async () => {
    const api = mockFetch({
      ...baseRoutes(),
      'GET /api/v1/users/me': () => ({ body: samAsEmployee }),
      'POST /api/v1/time-off': (c) => {
        const b = c.body as { start_date: string; end_date: string };
        return { status: 201, body: timeOff(9, 3, b.start_date, b.end_date) };
      },
    });
    const ue = userEvent.setup({ delay: null });
    render(<App />);
    await board();
    await ue.click(screen.getByRole('button', { name: 'Ask for time off…' }));
    const dialog = await screen.findByRole('dialog', { name: 'Ask for time off' });
    const last = within(dialog).getByLabelText('Last day off');
    await ue.clear(last);
    await ue.type(last, '2025-11-14');
    await ue.click(within(dialog).getByRole('button', { name: 'Ask for time off' }));
    expect(
      await screen.findByText(/Asked for time off Wednesday 12 November to Friday 14 November\./),
    ).toBeInTheDocument();
    expect(api.find('POST', '/api/v1/time-off')[0]!.body).toEqual({
      start_date: '2025-11-12',
      end_date: '2025-11-14',
    });
  });

  describe('availability', () => {
    // Maya works weekdays 10:00-18:00 and not at weekends; Sam gave none (any time).
    const weekdays = [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: '10:00', end: '18:00' }));
    const withAvailability = {
      ...baseRoutes(),
      'GET /api/v1/locations/1/availability': () => ({
        body: page([
          { user_id: 3, windows: weekdays, version: 2 },
          { user_id: 4, windows: [], version: 1 },
        ]),
      }),
    };

    it("shows each person's availability in their row and tags a shift outside it", async () => {
      mockFetch(withAvailability);
      render(<App />);
      await board();
      const cells = (name: string) => within(rowOf(name)).getAllByRole('cell');
      expect(cells('Maya Patel')[0]).toHaveTextContent('Available 10:00–18:00');
      expect(cells('Maya Patel')[5]).toHaveTextContent('Unavailable');
      expect(cells('Sam Lee')[5]).not.toHaveTextContent('Unavailable');
      const wednesday = within(cells('Maya Patel')[2]!).getByRole('button', {
        name: /^Maya Patel, Wed 12 Nov/,
      });
      expect(wednesday).toHaveTextContent('Outside availability');
      expect(
        within(cells('Sam Lee')[3]!).getByRole('button', { name: /^Sam Lee, Thu 13 Nov/ }),
      ).not.toHaveTextContent('Outside availability');
    });

    it('says in the shift dialog when a shift would be outside it, and still saves', async () => {
      mockFetch(withAvailability);
      const ue = userEvent.setup({ delay: null });
      render(<App />);
      await board();
      await ue.click(
        screen.getByRole('button', { name: 'Add a shift for Maya Patel on Saturday 15 November' }),
      );
      const dialog = await screen.findByRole('dialog', { name: 'New shift for Maya Patel' });
      expect(within(dialog).getByLabelText('Person')).toHaveAccessibleDescription(
        'Outside the availability Maya Patel gave (Sat 15 Nov: unavailable). You can still save it.',
      );
      expect(within(dialog).getByRole('button', { name: 'Add shift' })).toBeEnabled();
    });

    it('a manager changes someone’s availability from their row, with If-Match', async () => {
      const api = mockFetch({
        ...withAvailability,
        'GET /api/v1/users/4/availability': () => ({ body: { user_id: 4, windows: [], version: 1 } }),
        'PUT /api/v1/users/4/availability': (c) => ({
          body: { user_id: 4, ...(c.body as object), version: 2 },
        }),
      });
      const ue = userEvent.setup({ delay: null });
      render(<App />);
      await board();
      await ue.click(within(rowOf('Sam Lee')).getByRole('button', { name: 'Availability' }));
      const dialog = await screen.findByRole('dialog', { name: 'Availability: Sam Lee' });
      await ue.selectOptions(
        await within(dialog).findByRole('combobox', { name: 'Monday' }),
        'Only these hours',
      );
      const until = within(dialog).getByLabelText('Monday: until');
      await ue.clear(until);
      await ue.type(until, '08:00');
      await ue.click(within(dialog).getByRole('button', { name: 'Save availability' }));
      expect(within(dialog).getByRole('group', { name: 'Monday' })).toHaveTextContent(
        'Each time must end after it starts.',
      );
      expect(api.find('PUT', '/api/v1/users/4/availability')).toEqual([]);
      await ue.clear(until);
      await ue.type(until, '13:00');
      for (const day of ['Saturday', 'Sunday'])
        await ue.selectOptions(within(dialog).getByRole('combobox', { name: day }), 'Not available');
      await ue.click(within(dialog).getByRole('button', { name: 'Save availability' }));
      expect(await screen.findByText("Saved Sam Lee's availability.")).toBeInTheDocument();
      const put = api.find('PUT', '/api/v1/users/4/availability')[0]!;
      expect(put.headers['if-match']).toBe('"1"');
      expect(put.body).toEqual({
        windows: [
          { weekday: 1, start: '09:00', end: '13:00' },
          ...[2, 3, 4, 5].map((weekday) => ({ weekday, start: '00:00', end: '24:00' })),
        ],
      });
    });

    it('an employee may open their own availability only', async () => {
      mockFetch({ ...withAvailability, 'GET /api/v1/users/me': () => ({ body: samAsEmployee }) });
      render(<App />);
      await board();
      expect(within(rowOf('Maya Patel')).getByRole('button', { name: 'Availability' })).toBeInTheDocument();
      expect(screen.getAllByRole('button', { name: 'Availability' })).toHaveLength(1);
    });
  });

  it("an admin changes the location's work rules, which the board then states", async () => {
    const api = mockFetch({
      ...baseRoutes(),
      'PATCH /api/v1/locations/1': (c) => ({ body: { ...toronto, ...(c.body as object), version: 2 } }),
    });
    const ue = userEvent.setup({ delay: null });
    render(<App />);
    await board();
    expect(
      screen.getByText(/overtime past 40 h a week, at least 11 h rest between shifts\./),
    ).toBeInTheDocument();
    await ue.click(screen.getByRole('button', { name: 'Change work rules' }));
    const dialog = await screen.findByRole('dialog', { name: 'Work rules: Queen Street' });
    const overtime = within(dialog).getByLabelText('Overtime past (paid hours a week)');
    await ue.clear(overtime);
    await ue.type(overtime, '200');
    await ue.click(within(dialog).getByRole('button', { name: 'Save work rules' }));
    expect(overtime).toHaveAccessibleDescription('Whole hours from 1 to 168.');
    await ue.clear(overtime);
    await ue.type(overtime, '38');
    await ue.click(within(dialog).getByRole('button', { name: 'Save work rules' }));
    expect(
      await screen.findByText(
        "Saved Queen Street's work rules: overtime past 38 h a week, at least 11 h rest between shifts.",
      ),
    ).toBeInTheDocument();
    const patch = api.find('PATCH', '/api/v1/locations/1');
    expect(patch.map((c) => [c.body, c.headers['if-match']])).toEqual([
      [{ overtime_hours_per_week: 38, min_rest_hours: 11 }, '"1"'],
    ]);
    expect(screen.getByText(/Warnings before publishing: overtime past 38 h a week/)).toBeInTheDocument();
  });

  it('a manager reads the work rules but may not change them', async () => {
    mockFetch({
      ...baseRoutes(),
      'GET /api/v1/users/me': () => ({ body: { ...samAsEmployee, type: 'manager', access: 'manager' } }),
    });
    render(<App />);
    await board();
    expect(screen.getByText(/overtime past 40 h a week/)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Change work rules' })).toBeNull();
  });

  it('lists the warnings in the publish summary, and a manager may publish anyway', async () => {
    const api = mockFetch({
      ...baseRoutes(),
      'GET /api/v1/shifts/warnings': (c) => ({
        body: {
          location_id: 1,
          start: c.url.searchParams.get('start'),
          end: c.url.searchParams.get('end'),
          warnings: [
            {
              kind: 'overtime',
              user_id: 4,
              shift_ids: [101],
              hours: 44,
              limit_hours: 40,
              detail: "Sam Lee works 44 h this week, past Queen Street's overtime line of 40 h.",
            },
          ],
        },
      }),
      'POST /api/v1/shifts/publish': (c) => ({
        body: { ...(c.body as object), published_count: 1, shift_ids: [101], held_back_shift_ids: [] },
      }),
    });
    const ue = userEvent.setup({ delay: null });
    render(<App />);
    await board();
    await ue.click(screen.getByRole('button', { name: /Publish week/ }));
    const summary = await screen.findByRole('dialog', { name: /Publish the week of/ });
    const warnings = await within(summary).findByRole('group', { name: '1 warning before you publish' });
    expect(warnings).toHaveTextContent(
      "Overtime: Sam Lee works 44 h this week, past Queen Street's overtime line of 40 h.",
    );
    expect(api.find('GET', '/api/v1/shifts/warnings')[0]!.url.searchParams.get('start')).toBe(WEEK_START);
    await ue.click(within(summary).getByRole('button', { name: 'Publish anyway: 1 shift' }));
    expect(await screen.findByText(/Published 1 shift\./)).toBeInTheDocument();
  });

  it('shows an employee their own week, read only: no publish, no adding, no People page', async () => {
    mockFetch({
      ...baseRoutes(),
      'GET /api/v1/users/me': () => ({ body: samAsEmployee }),
    });
    render(<App />);
    await board();
    expect(screen.getByRole('link', { name: 'My shifts' })).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'People' })).toBeNull();
    expect(screen.queryByRole('button', { name: /Publish week/ })).toBeNull();
    expect(screen.queryByRole('button', { name: /^Add / })).toBeNull();
    expect(screen.queryByLabelText('Person')).toBeNull();
    expect(screen.getByText(/Sam Admin/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Sign out' })).toBeInTheDocument();
  });

  it('shows a plain error next to Publish when it fails', async () => {
    mockFetch({
      ...baseRoutes(),
      'POST /api/v1/shifts/publish': () => ({
        status: 503,
        body: problem(503, 'database-unavailable'),
        headers: { 'retry-after': '3' },
      }),
    });
    const ue = userEvent.setup({ delay: null });
    render(<App />);
    await board();
    await ue.click(screen.getByRole('button', { name: /Publish week/ }));
    await ue.click(
      within(await screen.findByRole('dialog')).getByRole('button', { name: /^Publish \d+ shift/ }),
    );
    expect(await screen.findByRole('alert')).toHaveTextContent(
      "The server is busy, so we couldn't publish the week. Try again in 3 seconds.",
    );
  });

  it('warns that names are missing when the users service is degraded', async () => {
    mockFetch({
      ...baseRoutes(),
      'GET /api/v1/users': () => ({ status: 503, body: problem(503, 'database-unavailable') }),
      'GET /api/v1/shifts': () => ({
        body: page([shift(100, 3, '2025-11-12T14:00:00Z', '2025-11-12T22:00:00Z', { assignee: null })], {
          degraded: true,
        }),
      }),
    });
    render(<App />);
    await board();
    expect(screen.getByText(/Some names may be missing/)).toBeInTheDocument();
    expect(screen.getByRole('rowheader', { name: /Name unavailable \(#3\)/ })).toBeInTheDocument();
  });

  it('shows loading, then an error with a retry when shifts cannot be loaded', async () => {
    let fail = true;
    mockFetch({
      ...baseRoutes(),
      'GET /api/v1/shifts': () =>
        fail ? { status: 500, body: problem(500, 'internal-error') } : { body: page([]) },
    });
    const ue = userEvent.setup({ delay: null });
    render(<App />);
    expect(screen.getByRole('status')).toHaveTextContent(/Signing in|Loading/);
    expect(await screen.findByRole('alert')).toHaveTextContent(
      "Something went wrong on the server and we couldn't load the schedule. Please try again.",
    );
    fail = false;
    await ue.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText(/No shifts this week yet/)).toBeInTheDocument();
  });

  it('switches location and shows days in that location', async () => {
    const api = mockFetch(baseRoutes());
    const ue = userEvent.setup({ delay: null });
    render(<App />);
    await board();
    await ue.selectOptions(screen.getByLabelText('Location'), 'Denver Depot');
    await waitFor(() =>
      expect(api.find('GET', '/api/v1/shifts').at(-1)!.url.searchParams.get('location_id')).toBe('2'),
    );
    expect(api.find('GET', '/api/v1/shifts').at(-1)!.url.searchParams.get('start[gte]')).toBe(
      '2025-11-10T07:00:00Z',
    );
    expect(await screen.findByText(/Denver Depot's time zone \(America\/Denver\)/)).toBeInTheDocument();
  });

  it('remembers the last location when the URL does not name one', async () => {
    const api = mockFetch(baseRoutes());
    const ue = userEvent.setup({ delay: null });
    const first = render(<App />);
    await board();
    await ue.selectOptions(screen.getByLabelText('Location'), 'Denver Depot');
    await waitFor(() =>
      expect(api.find('GET', '/api/v1/shifts').at(-1)!.url.searchParams.get('location_id')).toBe('2'),
    );
    first.unmount();
    history.replaceState(null, '', '/');
    render(<App />);
    await screen.findByText(/Denver Depot's time zone/);
    expect(screen.getByLabelText('Location')).toHaveValue('2');
  });

  it("shows one person's week with the open shifts they could pick up", async () => {
    mockFetch(baseRoutes());
    const ue = userEvent.setup({ delay: null });
    render(<App />);
    const table = await board();
    await ue.selectOptions(screen.getByLabelText('Person'), 'Maya Patel');
    await waitFor(() =>
      expect(
        within(table)
          .getAllByRole('rowheader')
          .map((h) => h.querySelector('.row-name')?.textContent),
      ).toEqual(['Open shifts', 'Maya Patel']),
    );
    expect(screen.getByText('09:00–17:00')).toBeInTheDocument();
    expect(screen.getByText('16:00–22:00')).toBeInTheDocument();
    expect(screen.queryByText('09:00–13:00')).not.toBeInTheDocument();
    expect(location.search).toContain('person=3');
  });
});
