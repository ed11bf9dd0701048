// The board's head: the week's title, the toolbar (location, week, role and person filters, publish), what
// the numbers and times mean, and the messages a change leaves.
import { useState, type RefObject } from 'react';
import type { Location, Role } from '../api';
import { FilterSelect, nameOptions } from '../components/FilterSelect';
import { setQuery } from '../router';
import { addDays, formatWeekRange, weekStart } from '../time';
import { WorkRulesDialog, rulesText } from './WorkRulesDialog';

export interface BoardHeadProps {
  location: Location;
  locations: Location[];
  weekKey: string;
  todayKey: string;
  roles: Role[];
  roleFilter: number | null;
  personFilter: number | null;
  personChoices: Array<{ value: number; label: string }>;
  canManage: boolean;
  counts: { shifts: number; drafts: number; open: number } | null;
  publishing: boolean;
  publishError: string | null;
  announcement: string;
  headingRef: RefObject<HTMLHeadingElement | null>;
  goWeek: (key: string) => void;
  askToPublish: () => void;
  copyWeek: () => void;
  askTimeOff: () => void;
  /** Admins change the location's work rules; null for everyone else. */
  onRulesSaved: ((location: Location, message: string) => void) | null;
}

export function BoardHead(props: BoardHeadProps) {
  const { location, locations, weekKey, todayKey, roles, roleFilter, personFilter, canManage } = props;
  const { personChoices, counts, publishing, publishError, announcement, headingRef, goWeek } = props;
  const tz = location.timezone;
  const drafts = counts?.drafts ?? 0;
  const [editingRules, setEditingRules] = useState(false);
  return (
    <div className="page-head">
      <h1 id="board-title" ref={headingRef} tabIndex={-1}>
        <span className="visually-hidden">Schedule for </span>
        {formatWeekRange(weekKey)}
      </h1>
      <div className="toolbar">
        <FilterSelect
          id="board-location"
          label="Location"
          value={location.id}
          options={nameOptions(locations)}
          onChange={(v) => setQuery({ location: v, role: null, person: null })}
        />
        <div className="week-nav" role="group" aria-label="Week">
          <button type="button" className="button" onClick={() => goWeek(addDays(weekKey, -7))}>
            <span aria-hidden="true">‹ </span>Previous<span className="visually-hidden"> week</span>
          </button>
          <button
            type="button"
            className="button"
            onClick={() => goWeek(weekStart(todayKey))}
            aria-pressed={weekKey === weekStart(todayKey)}
          >
            Today
          </button>
          <button type="button" className="button" onClick={() => goWeek(addDays(weekKey, 7))}>
            Next<span className="visually-hidden"> week</span>
            <span aria-hidden="true"> ›</span>
          </button>
        </div>
        <FilterSelect
          id="board-role"
          label="Role"
          value={roleFilter ?? ''}
          allLabel="All roles"
          options={nameOptions(roles)}
          onChange={(v) => setQuery({ role: v || null })}
        />
        {canManage ? (
          <FilterSelect
            id="board-person"
            label="Person"
            value={personFilter ?? ''}
            allLabel="Everyone"
            options={personChoices}
            onChange={(v) => setQuery({ person: v || null })}
          />
        ) : null}
        {canManage ? (
          <div className="publish">
            <button type="button" className="button" onClick={props.copyWeek} disabled={!counts}>
              Copy a week…
            </button>
            <button
              type="button"
              className="button primary"
              onClick={props.askToPublish}
              disabled={publishing || !counts}
              aria-describedby={publishError ? 'publish-error' : undefined}
            >
              {publishing
                ? 'Publishing…'
                : drafts > 0
                  ? `Publish week (${drafts} ${drafts === 1 ? 'draft' : 'drafts'})`
                  : 'Publish week'}
            </button>
          </div>
        ) : (
          <div className="publish">
            <button type="button" className="button" onClick={props.askTimeOff}>
              Ask for time off…
            </button>
          </div>
        )}
      </div>
      <p className="tz-note">
        Times in {location.name}&apos;s time zone ({tz.replace(/_/g, ' ')}).
        {counts ? (
          <>
            {' '}
            {counts.shifts} {counts.shifts === 1 ? 'shift' : 'shifts'}, {drafts}{' '}
            {drafts === 1 ? 'draft' : 'drafts'}, {counts.open} open.
          </>
        ) : null}{' '}
        {canManage ? (
          <span className="tip">
            Choose an empty cell to add a shift, or a shift to change, move, assign or delete it; or copy a
            past week. New shifts are drafts until you publish the week. Warnings before publishing:{' '}
            {rulesText(location)}
            {props.onRulesSaved ? (
              <>
                {' '}
                <button type="button" className="row-link" onClick={() => setEditingRules(true)}>
                  Change work rules
                </button>
              </>
            ) : null}
          </span>
        ) : (
          <span className="tip">Your shifts this week, and the open shifts you could pick up.</span>
        )}
      </p>
      {publishError ? (
        <p className="inline-error" id="publish-error" role="alert">
          {publishError}
        </p>
      ) : null}
      {editingRules && props.onRulesSaved ? (
        <WorkRulesDialog
          location={location}
          onClose={() => setEditingRules(false)}
          onSaved={(saved, message) => {
            setEditingRules(false);
            props.onRulesSaved?.(saved, message);
          }}
        />
      ) : null}
      <p className="announce" role="status" aria-live="polite">
        {announcement}
      </p>
    </div>
  );
}
