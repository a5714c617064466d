using System.Text;

namespace Transmeta.Runner.Profiling;

/// <summary>A plain-text table: a header row, a rule, right-aligned numbers, left-aligned text.</summary>
public sealed class TextTable
{
    private readonly string[] _headers;
    private readonly bool[] _leftAligned;
    private readonly List<string[]> _rows = new();

    /// <param name="headers">Column headers; a leading '&lt;' makes the column left-aligned (text).</param>
    public TextTable(params string[] headers)
    {
        _leftAligned = headers.Select(h => h.StartsWith('<')).ToArray();
        _headers = headers.Select(h => h.TrimStart('<')).ToArray();
    }

    public int RowCount => _rows.Count;

    public void Add(params object?[] cells)
    {
        if (cells.Length != _headers.Length) throw new ArgumentException($"expected {_headers.Length} cells, got {cells.Length}");
        _rows.Add(cells.Select(c => c?.ToString() ?? "").ToArray());
    }

    public override string ToString()
    {
        int[] widths = _headers.Select(h => h.Length).ToArray();
        foreach (string[] row in _rows)
            for (int i = 0; i < row.Length; i++) widths[i] = Math.Max(widths[i], row[i].Length);
        var sb = new StringBuilder();
        void Line(string[] cells)
        {
            for (int i = 0; i < cells.Length; i++)
            {
                if (i > 0) sb.Append("  ");
                bool last = i == cells.Length - 1;
                if (_leftAligned[i]) sb.Append(last ? cells[i] : cells[i].PadRight(widths[i]));
                else sb.Append(cells[i].PadLeft(widths[i]));
            }
            sb.Append('\n');
        }
        Line(_headers);
        sb.Append(string.Join("  ", widths.Select(w => new string('-', w)))).Append('\n');
        foreach (string[] row in _rows) Line(row);
        return sb.ToString();
    }
}
