namespace Transmeta.Frontend.Decoding;

/// <summary>Gives the frontend guest code bytes by linear address (the VMM translates through
/// paging and records which physical pages a translation covers).</summary>
public interface IGuestCodeReader
{
    /// <summary>Copies up to <paramref name="buffer"/>.Length bytes starting at
    /// <paramref name="linear"/>; returns how many could be read (stops at an unmapped page).</summary>
    int Read(uint linear, Span<byte> buffer);
}
