namespace Transmeta.IR;

/// <summary>The two value types of the IR. Flags and conditions are I32 values 0 or 1.</summary>
public enum IrType : byte
{
    I32,
    I64,
}
