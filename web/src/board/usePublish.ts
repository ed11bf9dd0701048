// Publishing a week: asked to confirm first, with what a manager should know (the warnings: overtime,
// short rest, missing roles; they never stop it), then announced (or the error shown), and the week reloaded.
import { useState } from 'react';
import type { ScheduleWarning } from '@shiftstack/contract';
import { api, type Location } from '../api';
import { explainError } from '../errors';
import { formatWeekRange, toIso, weekWindow } from '../time';

function publishedMessage(
  result: { published_count: number; held_back_shift_ids: number[] },
  weekKey: string,
) {
  if (result.published_count === 0) return 'Nothing to publish: every shift this week is already published.';
  const held = result.held_back_shift_ids.length;
  return `Published ${result.published_count} ${result.published_count === 1 ? 'shift' : 'shifts'}. Everyone can now see the week of ${formatWeekRange(weekKey)}.${
    held > 0
      ? ` ${held} stayed drafts: they belong to someone who is no longer active. Reassign them, then publish again.`
      : ''
  }`;
}

/** The warnings for the week being published: still asked, known, or not to be had (publishing still works). */
export type Warnings =
  { state: 'loading' } | { state: 'loaded'; list: ScheduleWarning[] } | { state: 'failed'; message: string };

export function usePublish(location: Location, weekKey: string, reload: () => void) {
  const [announcement, setAnnouncement] = useState('');
  const [publishError, setPublishError] = useState<string | null>(null);
  const [publishing, setPublishing] = useState(false);
  const [confirmPublish, setConfirmPublish] = useState(false);
  const [warnings, setWarnings] = useState<Warnings>({ state: 'loading' });

  const askToPublish = () => {
    setConfirmPublish(true);
    setWarnings({ state: 'loading' });
    const { start, end } = weekWindow(weekKey, location.timezone);
    api.warnings({ location_id: location.id, start: toIso(start), end: toIso(end) }).then(
      (result) => setWarnings({ state: 'loaded', list: result.warnings }),
      (err: unknown) =>
        setWarnings({ state: 'failed', message: explainError(err, { action: 'check the week' }).message }),
    );
  };

  const publish = async () => {
    setConfirmPublish(false);
    setPublishError(null);
    setPublishing(true);
    const { start, end } = weekWindow(weekKey, location.timezone);
    try {
      const result = await api.publish({ location_id: location.id, start: toIso(start), end: toIso(end) });
      setAnnouncement(publishedMessage(result, weekKey));
      reload();
    } catch (err) {
      setPublishError(explainError(err, { action: 'publish the week' }).message);
    } finally {
      setPublishing(false);
    }
  };

  /** A new week, or another change: the last message no longer applies. */
  const clearMessages = () => {
    setAnnouncement('');
    setPublishError(null);
  };

  return {
    announcement,
    setAnnouncement,
    publishError,
    publishing,
    confirmPublish,
    warnings,
    askToPublish,
    cancelPublish: () => setConfirmPublish(false),
    publish,
    clearMessages,
  };
}
