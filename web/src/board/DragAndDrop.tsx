// Drag and drop on the board (dnd-kit): a shift is picked up with the mouse (after a few pixels, so a
// click still opens it) or with the keyboard (Space; the arrow keys go to the next cell in that direction;
// Space drops, Escape cancels), and every step is announced to screen readers in words.
import {
  DndContext,
  DragOverlay,
  KeyboardSensor,
  PointerSensor,
  closestCenter,
  useDraggable,
  useDroppable,
  useSensor,
  useSensors,
  type Announcements,
  type DragEndEvent,
  type KeyboardCoordinateGetter,
} from '@dnd-kit/core';
import { useState, type ButtonHTMLAttributes, type ReactNode } from 'react';
import type { Shift } from '../api';
import type { CellTarget } from './moves';

export interface DragShift {
  shift: Shift;
  /** The cell it starts in (cellId). */
  from: string;
  /** How the shift is named aloud: "Maya Patel, Wed 12 Nov, 09:00–17:00 Barista Draft". */
  label: string;
}

const INSTRUCTIONS =
  'To move a shift, press Space to pick it up, the arrow keys to take it to another day or person, then Space to drop it or Escape to cancel. Enter opens the shift.';

export const cellId = (userId: number | null, day: string) => `cell:${userId ?? 'open'}:${day}`;

// A pick-up is at once "over" the cell it came from; saying so would replace the pick-up and its
// instructions in the live region before anyone heard them.
let justPickedUp = false;

const announcements: Announcements = {
  onDragStart: ({ active }) => {
    justPickedUp = true;
    return `Picked up ${labelOf(active.data.current)}. Arrow keys move it, Space drops it, Escape cancels.`;
  },
  onDragOver: ({ active, over }) => {
    const start = justPickedUp && over?.id === (active.data.current as DragShift | undefined)?.from;
    justPickedUp = false;
    if (start) return undefined;
    return over ? `${labelOf(active.data.current)} is over ${cellOf(over.data.current)}.` : 'Not over a day.';
  },
  onDragEnd: ({ over }) => (over ? `Dropped on ${cellOf(over.data.current)}.` : 'Dropped outside the board.'),
  onDragCancel: ({ active }) => `Cancelled. ${labelOf(active.data.current)} stays where it was.`,
};

// A keyboard pick-up or drop ends with a key going up on the shift's button, which browsers turn into a
// click: the board ignores clicks on a shift this soon after a drag began or ended.
let lastDragAt = 0;
const touched = () => {
  lastDragAt = Date.now();
};
export const justDragged = () => Date.now() - lastDragAt < 500;

const labelOf = (data: unknown) => (data as DragShift | undefined)?.label ?? 'the shift';
const cellOf = (data: unknown) => (data as CellTarget | undefined)?.label ?? 'a day';

const ARROWS: Record<string, [number, number]> = {
  ArrowRight: [1, 0],
  ArrowLeft: [-1, 0],
  ArrowDown: [0, 1],
  ArrowUp: [0, -1],
};

/**
 * Arrow keys jump to the nearest cell in that direction (the same row first), not a few pixels. The cells
 * are measured at each key press: dnd-kit's own measurements may not exist yet right after a pick-up, and
 * go stale when the page scrolls.
 */
const toNextCell: KeyboardCoordinateGetter = (event, { context, currentCoordinates }) => {
  const dir = ARROWS[event.code];
  const from = context.collisionRect;
  if (!dir || !from) return undefined;
  event.preventDefault();
  const centerOf = (r: { left: number; top: number; width: number; height: number }) => ({
    x: r.left + r.width / 2,
    y: r.top + r.height / 2,
  });
  const here = centerOf(from);
  let best: { node: HTMLElement; score: number } | null = null;
  for (const container of context.droppableContainers.getEnabled()) {
    const node = container.node.current;
    // Not the cell it is over: a shift sits at the top of its cell, so that cell's middle is "below" it.
    if (!node || container.id === context.over?.id) continue;
    const there = centerOf(node.getBoundingClientRect());
    const [dx, dy] = [there.x - here.x, there.y - here.y];
    const along = dir[0] !== 0 ? dx * dir[0] : dy * dir[1];
    const across = dir[0] !== 0 ? Math.abs(dy) : Math.abs(dx);
    if (along <= 4) continue;
    const score = across * 4 + along;
    if (!best || score < best.score) best = { node, score };
  }
  if (!best) return currentCoordinates;
  // Bring the cell to the middle of the screen first, so it is in view, and dnd-kit moves the shift there
  // (given a target past the middle of a scrollable page, it scrolls the page instead of moving).
  best.node.scrollIntoView({ block: 'center', inline: 'center', behavior: 'instant' });
  const there = centerOf(best.node.getBoundingClientRect());
  return { x: currentCoordinates.x + there.x - here.x, y: currentCoordinates.y + there.y - here.y };
};

export function BoardDnd({
  children,
  onMove,
}: {
  children: ReactNode;
  onMove: (shift: Shift, target: CellTarget) => void;
}) {
  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 6 } }),
    useSensor(KeyboardSensor, {
      coordinateGetter: toNextCell,
      keyboardCodes: { start: ['Space'], cancel: ['Escape'], end: ['Space', 'Enter'] },
    }),
  );
  const [dragging, setDragging] = useState<DragShift | null>(null);
  const end = ({ active, over }: DragEndEvent) => {
    touched();
    setDragging(null);
    const from = active.data.current as DragShift | undefined;
    const to = over?.data.current as CellTarget | undefined;
    if (from && to) onMove(from.shift, to);
  };
  return (
    <DndContext
      sensors={sensors}
      collisionDetection={closestCenter}
      accessibility={{ announcements, screenReaderInstructions: { draggable: INSTRUCTIONS } }}
      onDragStart={({ active }) => {
        touched();
        setDragging((active.data.current as DragShift | undefined) ?? null);
      }}
      onDragEnd={end}
      onDragCancel={() => {
        touched();
        setDragging(null);
      }}
    >
      {children}
      <DragOverlay dropAnimation={null}>
        {dragging ? <div className="shift shift-dragging">{dragging.label}</div> : null}
      </DragOverlay>
    </DndContext>
  );
}

/** What the shift's button takes to be dragged: dnd-kit's ARIA attributes, its listeners, its node. */
export type DragProps = ButtonHTMLAttributes<HTMLButtonElement> & { ref: (node: HTMLElement | null) => void };

/** A shift that can be picked up; `children` gets the props to spread on the shift's button. */
export function DraggableShift({
  item,
  children,
}: {
  item: DragShift;
  children: (props: DragProps, dragging: boolean) => ReactNode;
}) {
  const { attributes, listeners, setNodeRef, isDragging } = useDraggable({
    id: `shift:${item.shift.id}`,
    data: item,
  });
  const props = { ...attributes, ...listeners, ref: setNodeRef } as DragProps;
  return <>{children(props, isDragging)}</>;
}

/** A board cell a shift can be dropped on. */
export function DropCell({
  target,
  className,
  children,
}: {
  target: CellTarget;
  className: string;
  children: ReactNode;
}) {
  const { setNodeRef, isOver } = useDroppable({
    id: `cell:${target.userId ?? 'open'}:${target.day}`,
    data: target,
  });
  return (
    <div ref={setNodeRef} role="cell" className={isOver ? `${className} drop-over` : className}>
      {children}
    </div>
  );
}
