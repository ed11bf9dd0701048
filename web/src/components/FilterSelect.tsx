/** One choice in a select: `value` becomes the option's value attribute, `label` its text. */
export interface SelectOption {
  value: string | number;
  label: string;
}

/** Choices for things with an id and a name (locations, roles): the id is the value, the name the text. */
export function nameOptions(items: readonly { id: number; name: string }[]): SelectOption[] {
  return items.map((i) => ({ value: i.id, label: i.name }));
}

/** The <option> elements for a list of choices. */
export function Options({ options }: { options: readonly SelectOption[] }) {
  return options.map((o) => (
    <option key={o.value} value={o.value}>
      {o.label}
    </option>
  ));
}

interface FilterSelectProps {
  id: string;
  label: string;
  value: string | number;
  /** Text of a first option with the value "" (no filter); leave it out when there is always a choice. */
  allLabel?: string;
  options: readonly SelectOption[];
  onChange: (value: string) => void;
}

/** A labelled toolbar select (`div.field-inline`), as used for the filters on the board and people pages. */
export function FilterSelect({ id, label, value, allLabel, options, onChange }: FilterSelectProps) {
  return (
    <div className="field-inline">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        {allLabel === undefined ? null : <option value="">{allLabel}</option>}
        <Options options={options} />
      </select>
    </div>
  );
}
