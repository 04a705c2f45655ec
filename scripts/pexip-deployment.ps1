#Requires -Version 7.2
<#
.SYNOPSIS
Runs Pexip's own Teams Connector deployment for one region; called by the stack's Pulumi
command resources (components/pexipDeployment.ts), never by hand.

.DESCRIPTION
Kept small on purpose: every decision is made in TypeScript (lib/deploymentParameters.ts) and
arrives here as one JSON document. This script only does what needs the package and Az
PowerShell on the deploying machine:

  check   fetch and verify the package, and check its script's parameters against the
          document's; runs before the old deployment is removed, so a bad package stops there
  deploy  the same check, then create the dynamic resource group (removing what a failed
          attempt left in it), prepare the PFX and run the package's deployment script with the
          document's parameters (splatted)
  update  set the dynamic resource group's tags (the group is ours; what the script made is not
          touched)
  remove  remove the dynamic resource group (never the static one)
  scale   set the scale set's capacity in place

It reads only the environment variables lib/contract.ts names (tested). Secrets come from the
environment and are never printed; the package and any PFX it writes are deleted when it ends.
PowerShell 7.2 or later: RandomNumberGenerator.GetBytes needs .NET 6.
#>
param(
    [Parameter(Mandatory = $true)]
    [ValidateSet('check', 'deploy', 'update', 'remove', 'scale')]
    [string] $Action
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$document = $env:VDX_DEPLOYMENT | ConvertFrom-Json
# Files and folders this run writes, deleted at the end whatever happens.
$temporary = [Collections.Generic.List[string]]::new()

function New-TemporaryFolder {
    $folder = Join-Path ([IO.Path]::GetTempPath()) ("vdx-teams-connector-" + [Guid]::NewGuid())
    New-Item -ItemType Directory -Path $folder | Out-Null
    $temporary.Add($folder)
    return $folder
}

function Connect-Subscription {
    # This run's context stays in this process: nothing is saved to the operator's Az profile.
    Disable-AzContextAutosave -Scope Process | Out-Null
    Set-AzContext -Subscription $document.subscriptionId | Out-Null
}

function Get-PackageZip([string] $folder) {
    if ($document.package.PSObject.Properties.Name -notcontains 'url') {
        return (Resolve-Path -LiteralPath $document.package.path).Path
    }
    $zip = Join-Path $folder 'package.zip'
    $uri = [Uri] $document.package.url
    if ($uri.Host.EndsWith('.blob.core.windows.net', [StringComparison]::OrdinalIgnoreCase)) {
        # Any blob, read as the signed-in identity (Storage Blob Data Reader): the URL carries no token (the schema refuses one).
        $container, $blob = $uri.AbsolutePath.TrimStart('/').Split('/', 2)
        if (-not $blob) { throw "The package URL $($uri.AbsoluteUri) names no blob: it must be https://<account>.blob.core.windows.net/<container>/<path to the zip>." }
        $context = New-AzStorageContext -StorageAccountName $uri.Host.Split('.')[0] -UseConnectedAccount
        Get-AzStorageBlobContent -Context $context -Container $container -Blob ([Uri]::UnescapeDataString($blob)) -Destination $zip -Force | Out-Null
    } else {
        Invoke-WebRequest -Uri $uri -OutFile $zip
    }
    return $zip
}

# The package's deployment script, from a package whose SHA-256 is the catalogue's.
function Get-Package {
    $folder = New-TemporaryFolder
    $zip = Get-PackageZip $folder
    $hash = (Get-FileHash -Algorithm SHA256 -LiteralPath $zip).Hash
    if ($hash -ne $document.package.sha256.ToUpperInvariant()) {
        throw "The Teams Connector package's SHA-256 is $hash, not $($document.package.sha256) as pexip-versions.yaml says: nothing was run from it."
    }
    $contents = Join-Path $folder 'package'
    Expand-Archive -LiteralPath $zip -DestinationPath $contents
    $script = Join-Path $contents $document.package.deploymentScript
    if (-not (Test-Path -LiteralPath $script)) {
        $found = @(Get-ChildItem -LiteralPath $contents -Recurse -File -Filter (Split-Path $document.package.deploymentScript -Leaf))
        if ($found.Count -ne 1) { throw "The package holds $($found.Count) files named $($document.package.deploymentScript)." }
        $script = $found[0].FullName
    }
    return $script
}

# Every parameter the document gives must be declared (by name or alias), once, and every mandatory
# one given: mandatory in every parameter set, as lib/powershellParameters.ts reads it. Read with
# PowerShell's own parser: nothing of the package runs.
function Assert-Parameters([string] $script) {
    $errors = $null
    $ast = [Management.Automation.Language.Parser]::ParseFile($script, [ref] $null, [ref] $errors)
    if ($errors.Count -gt 0) { throw "PowerShell cannot parse $($document.package.deploymentScript): $($errors[0].Message)" }
    $declared = @{}
    $mandatory = [Collections.Generic.List[string]]::new()
    $parameters = if ($null -eq $ast.ParamBlock) { @() } else { $ast.ParamBlock.Parameters }
    foreach ($parameter in $parameters) {
        $name = $parameter.Name.VariablePath.UserPath
        $declared[$name] = $name
        $sets = 0
        $mandatorySets = 0
        foreach ($attribute in @($parameter.Attributes | Where-Object { $_ -is [Management.Automation.Language.AttributeAst] })) {
            if ($attribute.TypeName.Name -eq 'Alias') {
                foreach ($alias in $attribute.PositionalArguments) { $declared[[string] $alias.SafeGetValue()] = $name }
            } elseif ($attribute.TypeName.Name -eq 'Parameter') {
                $sets++
                $isMandatory = @($attribute.NamedArguments | Where-Object { $_.ArgumentName -eq 'Mandatory' -and ($_.ExpressionOmitted -or $_.Argument.SafeGetValue()) }).Count -gt 0
                if ($isMandatory) { $mandatorySets++ }
            }
        }
        if ($sets -gt 0 -and $mandatorySets -eq $sets) { $mandatory.Add($name) }
    }
    $given = foreach ($name in $document.parameters.PSObject.Properties.Name) {
        if (-not $declared.ContainsKey($name)) {
            throw "$($document.package.deploymentScript) does not declare -$name, which the stack passes: rename it with pexipDeployment.parameterNames or remove it from pexipDeployment.parameters."
        }
        $declared[$name]
    }
    $twice = @($given | Group-Object | Where-Object { $_.Count -gt 1 } | ForEach-Object { $_.Name })
    if ($twice.Count -gt 0) {
        throw "The stack passes -$($twice[0]) of $($document.package.deploymentScript) twice, by its name and an alias: keep one in pexipDeployment.parameters and pexipDeployment.parameterNames."
    }
    $missing = @($mandatory | Where-Object { @($given) -notcontains $_ })
    if ($missing.Count -gt 0) {
        throw "$($document.package.deploymentScript) declares -$($missing -join ', -') mandatory and the stack does not pass it: add it to pexipDeployment.parameters or point a stack parameter at it with pexipDeployment.parameterNames."
    }
}

# A PFX file for the script, and its password. Key Vault's and the stack's PFX have an empty
# password: they are written to a temporary file under a random one.
function Get-Pfx {
    $source = $document.pfx.source
    if ($source -eq 'file') {
        return @{ Path = (Resolve-Path -LiteralPath $document.pfx.path).Path; Password = $env:VDX_PFX_PASSWORD }
    }
    $base64 = if ($source -eq 'keyVault') {
        Get-AzKeyVaultSecret -VaultName $document.pfx.vaultName -Name $document.pfx.secretName -Version $document.pfx.secretVersion -AsPlainText
    } else {
        $env:VDX_PFX
    }
    $certificates = [Security.Cryptography.X509Certificates.X509Certificate2Collection]::new()
    $certificates.Import([Convert]::FromBase64String($base64), $null, [Security.Cryptography.X509Certificates.X509KeyStorageFlags]::Exportable)
    $password = [Convert]::ToBase64String([Security.Cryptography.RandomNumberGenerator]::GetBytes(24))
    $path = Join-Path (New-TemporaryFolder) 'teams-connector.pfx'
    [IO.File]::WriteAllBytes($path, $certificates.Export([Security.Cryptography.X509Certificates.X509ContentType]::Pkcs12, $password))
    return @{ Path = $path; Password = $password }
}

function Get-Tags {
    $tags = @{}
    foreach ($tag in $document.tags.PSObject.Properties) { $tags[$tag.Name] = $tag.Value }
    return $tags
}

function Remove-DynamicGroup {
    if (Get-AzResourceGroup -Name $document.resourceGroup -ErrorAction SilentlyContinue) {
        Remove-AzResourceGroup -Name $document.resourceGroup -Force | Out-Null
    }
}

function New-Credential([string] $UserName, [string] $Password) {
    return [pscredential]::new($UserName, (ConvertTo-SecureString -String $Password -AsPlainText -Force))
}

# The document's parameters, with the values only this machine holds filled in.
function Get-Parameters($pfx) {
    $parameters = @{}
    foreach ($property in $document.parameters.PSObject.Properties) {
        $value = $property.Value
        # A JSON object (not [pscustomobject], which means any PSObject and so may match a wrapped string).
        if ($value -is [System.Management.Automation.PSCustomObject]) {
            $value = switch ($value.from) {
                'adminCredential' { New-Credential $value.userName $env:VDX_ADMIN_PASSWORD }
                'appCredential' { New-Credential $value.userName $env:VDX_APP_SECRET }
                'pfxPath' { $pfx.Path }
                'pfxPassword' { if ($value.as -eq 'String') { $pfx.Password } else { ConvertTo-SecureString -String $pfx.Password -AsPlainText -Force } }
                'instanceCount' { [int] $env:VDX_INSTANCE_COUNT }
                default { throw "Unknown value source '$($value.from)' for -$($property.Name)." }
            }
        }
        $parameters[$property.Name] = $value
    }
    return $parameters
}

# Pexip's script with PowerShell's defaults, as in a fresh session an administrator would run it
# from: not this driver's strict mode and stop-on-error, which its scope would otherwise inherit.
# Under those defaults an error the script only writes does not stop it, so success is judged by
# the result too: the scale set it was told to create must exist and be provisioned.
function Invoke-PexipScript([string] $script, [hashtable] $parameters) {
    $errorsBefore = $global:Error.Count
    Push-Location (Split-Path -Parent $script)
    try {
        & {
            Set-StrictMode -Off
            $ErrorActionPreference = 'Continue'
            $global:LASTEXITCODE = 0
            & $script @parameters
            $succeeded = $?
            if (-not $succeeded -or $LASTEXITCODE -ne 0) {
                throw "Pexip's deployment script failed (exit code $LASTEXITCODE); its output above says why."
            }
        }
    } finally {
        Pop-Location
    }
    $written = $global:Error.Count - $errorsBefore
    $scaleSet = Get-AzVmss -ResourceGroupName $document.resourceGroup -VMScaleSetName $document.scaleSetName -ErrorAction SilentlyContinue
    if ($null -eq $scaleSet -or $scaleSet.ProvisioningState -ne 'Succeeded') {
        $state = if ($null -eq $scaleSet) { 'does not exist' } else { "is $($scaleSet.ProvisioningState)" }
        throw "Pexip's deployment script ended, but the scale set $($document.scaleSetName) in $($document.resourceGroup) $state; the script wrote $written error(s) above."
    }
}

try {
    Connect-Subscription
    switch ($Action) {
        'check' { Assert-Parameters (Get-Package) }
        'deploy' {
            $script = Get-Package
            Assert-Parameters $script
            $pfx = Get-Pfx
            # Pulumi creates only after a failed create left nothing recorded: start from an empty group.
            Remove-DynamicGroup
            New-AzResourceGroup -Name $document.resourceGroup -Location $document.location -Tag (Get-Tags) -Force | Out-Null
            Invoke-PexipScript $script (Get-Parameters $pfx)
        }
        'update' { Set-AzResourceGroup -Name $document.resourceGroup -Tag (Get-Tags) | Out-Null }
        'remove' { Remove-DynamicGroup }
        'scale' {
            # A PATCH of the capacity alone: the rest of the scale set's model stays Pexip's.
            Update-AzVmss -ResourceGroupName $document.resourceGroup -VMScaleSetName $document.scaleSetName -SkuCapacity ([int] $env:VDX_INSTANCE_COUNT) | Out-Null
        }
    }
} finally {
    foreach ($item in $temporary) { Remove-Item -LiteralPath $item -Recurse -Force -ErrorAction SilentlyContinue }
}
