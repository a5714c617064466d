namespace Transmeta.Runner;

/// <summary>The median the reports use (machines are shared and noisy: medians, not means).</summary>
public static class Medians
{
    /// <summary>The median of <paramref name="values"/>; 0 when there are none.</summary>
    public static double Of(IEnumerable<double> values)
    {
        double[] v = values.OrderBy(x => x).ToArray();
        if (v.Length == 0) return 0;
        return v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
    }
}
