import { createEvent, fireEvent, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import React from 'react';
import { FileDrop } from '../FileDrop';

const profile = (name: string) => new File(['{"profiles": []}'], name, { type: 'application/json' });

function renderDrop() {
  const onAdd = jest.fn<void, [File[]]>();
  render(<FileDrop files={[]} maxFileSizeMb={512} onAdd={onAdd} onRemove={() => {}} />);
  const chooser = screen.getByRole('button', { name: 'Drop Speedscope files here, or click to choose them' });
  const input = screen.getByLabelText('Speedscope files') as HTMLInputElement;
  return { onAdd, chooser, dropzone: screen.getByTestId('dropzone'), input };
}

/** Counts the clicks the file input receives: each one is the browser opening its file chooser. */
function chooserOpenings(input: HTMLInputElement) {
  const openings = { count: 0 };
  input.addEventListener('click', () => openings.count++);
  return openings;
}

describe('FileDrop', () => {
  it('is a named button described by its hint, in front of a labelled file input out of the tab order', () => {
    const { chooser, input } = renderDrop();
    expect(chooser).toHaveAccessibleDescription(
      '.json or .json.gz from py-spy, pyinstrument, dotnet-trace, Austin, rbspy…; up to 512 MB each. Files are read in your browser; nothing is sent until you push.'
    );
    expect(chooser).not.toHaveAttribute('role');
    expect(input).toHaveAttribute('type', 'file');
    expect(input).toHaveAttribute('tabindex', '-1');
    expect(input.multiple).toBe(true);
    expect(input.accept).toBe('application/json,.json,application/gzip,.gz');
  });

  it('takes focus first with Tab and opens the file chooser with Enter and with Space', async () => {
    const { chooser, input } = renderDrop();
    const openings = chooserOpenings(input);
    await userEvent.tab();
    expect(chooser).toHaveFocus();
    await userEvent.keyboard('{Enter}');
    expect(openings.count).toBe(1);
    await userEvent.keyboard(' ');
    expect(openings.count).toBe(2);
    expect(chooser).toHaveFocus();
  });

  it('opens the file chooser once on a click on its button or anywhere else in the zone', async () => {
    const { chooser, input } = renderDrop();
    const openings = chooserOpenings(input);
    await userEvent.click(chooser);
    expect(openings.count).toBe(1);
    await userEvent.click(screen.getByText(/^\.json or \.json\.gz from py-spy/));
    expect(openings.count).toBe(2);
  });

  it('adds the chosen files, and the same file chosen again is added again', async () => {
    const { onAdd, input } = renderDrop();
    const first = profile('a.speedscope.json');
    await userEvent.upload(input, [first, profile('b.json.gz')]);
    expect(onAdd).toHaveBeenCalledTimes(1);
    expect(onAdd.mock.calls[0][0].map((f) => f.name)).toEqual(['a.speedscope.json', 'b.json.gz']);
    await userEvent.upload(input, [first]);
    expect(onAdd).toHaveBeenCalledTimes(2);
    expect(onAdd.mock.calls[1][0]).toEqual([first]);
  });

  it('adds files dropped on it, and lets a file dragged over it drop there instead of opening in the tab', () => {
    const { onAdd, dropzone } = renderDrop();
    const files = [profile('dropped.json')];
    const dataTransfer = { files, types: ['Files'], dropEffect: 'none' };
    const dragOver = createEvent.dragOver(dropzone, { dataTransfer });
    fireEvent(dropzone, dragOver);
    expect(dragOver.defaultPrevented).toBe(true);
    fireEvent.drop(dropzone, { dataTransfer });
    expect(onAdd).toHaveBeenCalledWith(files);
  });

  it('does not take a drag of text for files', () => {
    const { onAdd, dropzone } = renderDrop();
    const dragOver = createEvent.dragOver(dropzone, { dataTransfer: { files: [], types: ['text/plain'] } });
    fireEvent(dropzone, dragOver);
    expect(dragOver.defaultPrevented).toBe(false);
    fireEvent.drop(dropzone, { dataTransfer: { files: [], types: ['text/plain'] } });
    expect(onAdd).not.toHaveBeenCalled();
  });
});
