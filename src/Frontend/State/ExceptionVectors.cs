namespace Transmeta.Frontend.State;

/// <summary>Protected-mode exception vectors (Intel SDM Vol. 3A §6.3.1, Table 6-1).</summary>
public static class ExceptionVectors
{
    public const int DivideError = 0;
    public const int Debug = 1;
    public const int Breakpoint = 3;
    public const int Overflow = 4;
    public const int BoundRange = 5;
    public const int InvalidOpcode = 6;
    public const int DeviceNotAvailable = 7;
    public const int DoubleFault = 8;
    public const int InvalidTss = 10;
    public const int SegmentNotPresent = 11;
    public const int StackFault = 12;
    public const int GeneralProtection = 13;
    public const int PageFault = 14;
    public const int FloatingPoint = 16;
    public const int AlignmentCheck = 17;
}
