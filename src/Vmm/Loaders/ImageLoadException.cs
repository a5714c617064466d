namespace Transmeta.Vmm.Loaders;

/// <summary>
/// A guest image cannot be loaded. The message is one line that says what is wrong and, where it
/// helps, what to do about it — it is shown to the user as is by the runner (no stack trace).
/// </summary>
public sealed class ImageLoadException : Exception
{
    public ImageLoadException(string message) : base(message) { }

    public ImageLoadException(string message, Exception inner) : base(message, inner) { }
}
