#Requires -Version 7.2
<#
.SYNOPSIS
Runs Pexip's own Teams Connector deployment for one region; called by the stack's Pulumi
command resources (components/pexipDeployment.ts), never by hand.

.DESCRIPTION
Kept small on purpose: every decision is made in TypeScript (lib/pexip/deploymentParameters.ts) and
arrives here as one JSON document. This script only does what needs the package and Az
PowerShell on the deploying machine:

  check   read, without writing, everything deploy will need: the package (checksum), the PFX
          (a Key Vault secret's read permission and content type, or the file), the instance
          count, and the stack's parameters bound by PowerShell itself to the script's own
          param(...) block; runs before the old deployment is removed, so a problem stops there
  deploy  the same check, then create the dynamic resource group (removing what a failed
          attempt left in it), prepare the PFX and run the package's deployment script in a
          fresh pwsh process with the document's parameters (splatted)
  update  merge the document's tags into the dynamic resource group's (the group is ours; what
          the script made is not touched)
  remove  remove the dynamic resource group (never the static one); only "not found" is done
  scale   set the scale set's capacity in place; a missing, zero or non-numeric count is refused

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
    [IO.Directory]::CreateDirectory($folder) | Out-Null
    $temporary.Add($folder)
    return $folder
}

function Connect-Subscription {
    # This run's context stays in this process: nothing is saved to the operator's Az profile.
    Disable-AzContextAutosave -Scope Process | Out-Null
    Set-AzContext -Subscription $document.subscriptionId | Out-Null
}

# The instance count from the sizing. Refused unless a whole number of at least 1: a capacity of 0
# deletes every instance.
function Get-InstanceCount {
    $text = [string] $env:VDX_INSTANCE_COUNT
    $count = 0
    $isNumber = [int]::TryParse($text, [Globalization.NumberStyles]::None, [Globalization.CultureInfo]::InvariantCulture, [ref] $count)
    if (-not $isNumber -or $count -lt 1) {
        throw "VDX_INSTANCE_COUNT is '$text', not a whole number of at least 1: nothing was changed (a capacity of 0 would delete every instance)."
    }
    return $count
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
        $context = New-AzStorageContext -StorageAccountName ($uri.Host.Split('.')[0]) -UseConnectedAccount
        Get-AzStorageBlobContent -Context $context -Container $container -Blob ([Uri]::UnescapeDataString($blob)) -Destination $zip -Force | Out-Null
    } else {
        Invoke-WebRequest -Uri $uri -OutFile $zip
    }
    return $zip
}

# The package's deployment script, from a package whose SHA-256 is the catalogue's. (Not named
# Get-Package, which would hide PackageManagement's cmdlet in this session.)
function Get-PackageScript {
    $folder = New-TemporaryFolder
    $zip = Get-PackageZip $folder
    $hash = (Get-FileHash -Algorithm SHA256 -LiteralPath $zip).Hash
    if ($hash -ne $document.package.sha256.ToUpperInvariant()) {
        throw "The Teams Connector package's SHA-256 is $hash, not $($document.package.sha256) as pexip-versions.yaml says: nothing was run from it."
    }
    $contents = Join-Path $folder 'package'
    Expand-Archive -LiteralPath $zip -DestinationPath $contents
    $script = Join-Path $contents $document.package.deploymentScript
    if (-not (Test-Path -LiteralPath $script -PathType Leaf)) {
        $leaf = [IO.Path]::GetFileName($document.package.deploymentScript)
        $found = @(Get-ChildItem -LiteralPath $contents -Recurse -File | Where-Object { $_.Name -eq $leaf })
        if ($found.Count -ne 1) { throw "The package holds $($found.Count) files named $($document.package.deploymentScript)." }
        $script = $found[0].FullName
    }
    return $script
}

# The script's syntax tree, read with PowerShell's own parser: nothing of it runs.
function Read-Script([string] $script) {
    $errors = $null
    $ast = [Management.Automation.Language.Parser]::ParseFile($script, [ref] $null, [ref] $errors)
    if ($errors.Count -gt 0) { throw "PowerShell cannot parse $($document.package.deploymentScript): $($errors[0].Message)" }
    return $ast
}

# The declared parameter a document name means (its name or an [Alias()]), or $null.
function Find-DeclaredParameter($ast, [string] $name) {
    if ($null -eq $ast.ParamBlock) { return $null }
    foreach ($parameter in $ast.ParamBlock.Parameters) {
        $names = @($parameter.Name.VariablePath.UserPath)
        foreach ($attribute in @($parameter.Attributes | Where-Object { $_ -is [Management.Automation.Language.AttributeAst] -and $_.TypeName.Name -eq 'Alias' })) {
            $names += @($attribute.PositionalArguments | ForEach-Object { [string] $_.SafeGetValue() })
        }
        if ($names -contains $name) { return $parameter }
    }
    return $null
}

# Whether the script declares the PFX password [string]; otherwise it gets a SecureString. Read here
# from the script, for a package fetched by URL too: a SecureString bound to [string] becomes the
# text "System.Security.SecureString", a wrong password with no error.
function Test-PfxPasswordIsString($ast) {
    foreach ($property in $document.parameters.PSObject.Properties) {
        if ($property.Value -is [System.Management.Automation.PSCustomObject] -and $property.Value.from -eq 'pfxPassword') {
            $parameter = Find-DeclaredParameter $ast $property.Name
            return $null -ne $parameter -and $parameter.StaticType -eq [string]
        }
    }
    return $false
}

# A SecureString of a text; an empty one for '' (ConvertTo-SecureString refuses an empty string).
# Defined once for the check's placeholders and for Pexip's session (shipped there as text).
function ConvertTo-SecureText {
    param([string] $Text)
    if ($Text.Length -eq 0) { return [securestring]::new() }
    return ConvertTo-SecureString -String $Text -AsPlainText -Force -ErrorAction Stop
}

# The document's parameters with each value source filled in from $values: the real values in
# Pexip's session, placeholders of the same types in the check. Shipped to Pexip's session as text.
function ConvertTo-ScriptArguments {
    param($Parameters, [hashtable] $Values, [bool] $PfxPasswordAsString)
    $arguments = @{}
    foreach ($property in $Parameters.PSObject.Properties) {
        $value = $property.Value
        # A JSON object (not [pscustomobject], which means any PSObject and so may match a wrapped string).
        if ($value -is [System.Management.Automation.PSCustomObject]) {
            $value = switch ($value.from) {
                'adminCredential' { [pscredential]::new($value.userName, (ConvertTo-SecureText $Values.adminPassword)) }
                'appCredential' { [pscredential]::new($value.userName, (ConvertTo-SecureText $Values.appSecret)) }
                'pfxPath' { $Values.pfxPath }
                'pfxPassword' { if ($PfxPasswordAsString) { [string] $Values.pfxPassword } else { ConvertTo-SecureText $Values.pfxPassword } }
                'instanceCount' { [int] $Values.instanceCount }
                default { throw "Unknown value source '$($value.from)' for -$($property.Name)." }
            }
        }
        $arguments[$property.Name] = $value
    }
    return $arguments
}

# Every parameter the document gives must be declared (by name or alias), and once: said here
# with the settings to change. Then PowerShell itself binds the stack's parameters to the script's
# own param(...) block, so that mandatory flags, parameter sets, Validate* attributes and empty
# collections are judged as they will be in deploy, before the old deployment is removed.
function Assert-Parameters([string] $script, $ast) {
    $given = foreach ($name in $document.parameters.PSObject.Properties.Name) {
        $parameter = Find-DeclaredParameter $ast $name
        if ($null -eq $parameter) {
            throw "$($document.package.deploymentScript) does not declare -$name, which the stack passes: rename it with pexipDeployment.parameterNames or remove it from pexipDeployment.parameters."
        }
        $parameter.Name.VariablePath.UserPath
    }
    $twice = @($given | Group-Object | Where-Object { $_.Count -gt 1 } | ForEach-Object { $_.Name })
    if ($twice.Count -gt 0) {
        throw "The stack passes -$($twice[0]) of $($document.package.deploymentScript) twice, by its name and an alias: keep one in pexipDeployment.parameters and pexipDeployment.parameterNames."
    }
    # Placeholders of the declared types for what only deploy holds: the secrets (not in the
    # check's environment) and the PFX file it prepares; the instance count is the real one.
    $placeholders = @{
        adminPassword = 'placeholder'
        appSecret = 'placeholder'
        pfxPath = $script
        pfxPassword = 'placeholder'
        instanceCount = Get-InstanceCount
    }
    $arguments = ConvertTo-ScriptArguments $document.parameters $placeholders (Test-PfxPasswordIsString $ast)
    Test-ParameterBinding $ast $arguments
}

# Binds the arguments to a script block made of the script's `using namespace` statements (not
# `using module` or `using assembly`, which would load code), its param block's
# attributes ([CmdletBinding()]: parameter sets, the default set) and its param(...) alone, with
# an empty body. Of the package only the attribute and default-value expressions run, from a
# package whose checksum was verified above; a dynamicparam block is not evaluated.
function Test-ParameterBinding($ast, [hashtable] $arguments) {
    $paramBlock = $ast.ParamBlock
    $text = @(
        @($ast.UsingStatements | Where-Object { $_.UsingStatementKind -eq 'Namespace' } | ForEach-Object { $_.Extent.Text })
        if ($null -ne $paramBlock) {
            @($paramBlock.Attributes | ForEach-Object { $_.Extent.Text })
            'param(' + (@($paramBlock.Parameters | ForEach-Object { $_.Extent.Text }) -join ",`n") + ')'
        } else {
            'param()'
        }
    ) -join "`n"
    $binder = [scriptblock]::Create($text)
    $script = $document.package.deploymentScript
    try {
        # Under PowerShell's defaults, as in Pexip's session: the driver's strict mode would judge default values differently.
        & {
            Set-StrictMode -Off
            $ErrorActionPreference = 'Continue'
            & $binder @arguments
        } | Out-Null
    } catch [Management.Automation.ParameterBindingException] {
        # Missing mandatory (-NonInteractive: no prompt), an unknown parameter, an ambiguous parameter set, a Validate* or type failure.
        $parameter = if ($_.Exception.ParameterName) { "-$($_.Exception.ParameterName)" } else { 'the stack''s parameters' }
        throw "$script refuses $parameter as PowerShell binds the stack's parameters: $(($_.Exception.Message -split '\r?\n' | Where-Object { $_ }) -join ' ')"
    } catch {
        throw "PowerShell cannot bind the stack's parameters to $script's param block: $(($_.Exception.Message -split '\r?\n' | Where-Object { $_ }) -join ' ')"
    }
}

# The Key Vault secret that holds the PFX, read (Get permission) and checked to be a PKCS#12 file.
function Get-PfxSecret {
    $secret = Get-AzKeyVaultSecret -VaultName $document.pfx.vaultName -Name $document.pfx.secretName -Version $document.pfx.secretVersion
    if ($null -eq $secret) { throw "Key Vault $($document.pfx.vaultName) has no secret $($document.pfx.secretName) version $($document.pfx.secretVersion) (certificate.keyVaultSecretId)." }
    if ($secret.ContentType -ne 'application/x-pkcs12') {
        throw "The secret $($document.pfx.secretName) in Key Vault $($document.pfx.vaultName) has content type '$($secret.ContentType)', not application/x-pkcs12: certificate.keyVaultSecretId must name a certificate's PFX."
    }
    return $secret
}

# The file PFX's password. The stack always sets it (the settings refuse an empty one, which
# Windows would not pass as an environment variable at all).
function Get-FilePfxPassword {
    $password = $env:VDX_PFX_PASSWORD
    if ($null -eq $password) {
        throw "VDX_PFX_PASSWORD is not set: the stack passes certificate.password with certificate.pfxFile."
    }
    return $password
}

# What deploy will read for the PFX, read without writing anything.
function Assert-Pfx {
    switch ($document.pfx.source) {
        'file' {
            if (-not (Test-Path -LiteralPath $document.pfx.path -PathType Leaf)) { throw "The PFX file $($document.pfx.path) (certificate.pfxFile) does not exist on this machine." }
        }
        'keyVault' { Get-PfxSecret | Out-Null }
    }
}

# A PFX file for the script, and its password. Key Vault's and the stack's PFX have an empty
# password: they are written to a temporary file under a random one.
function Get-Pfx {
    $source = $document.pfx.source
    if ($source -eq 'file') {
        return @{ Path = (Resolve-Path -LiteralPath $document.pfx.path).Path; Password = Get-FilePfxPassword }
    }
    $base64 = if ($source -eq 'keyVault') { (Get-PfxSecret).SecretValue | ConvertFrom-SecureString -AsPlainText } else { $env:VDX_PFX }
    # The private key in memory only (no key file on disk, which Windows writes otherwise);
    # macOS cannot import ephemeral keys. Disposed in any case, which deletes a key file.
    $flags = [Security.Cryptography.X509Certificates.X509KeyStorageFlags]::Exportable
    if (-not $IsMacOS) { $flags = $flags -bor [Security.Cryptography.X509Certificates.X509KeyStorageFlags]::EphemeralKeySet }
    $certificates = [Security.Cryptography.X509Certificates.X509Certificate2Collection]::new()
    try {
        $certificates.Import([Convert]::FromBase64String($base64), $null, $flags)
        $password = [Convert]::ToBase64String([Security.Cryptography.RandomNumberGenerator]::GetBytes(24))
        $path = Join-Path (New-TemporaryFolder) 'teams-connector.pfx'
        [IO.File]::WriteAllBytes($path, $certificates.Export([Security.Cryptography.X509Certificates.X509ContentType]::Pkcs12, $password))
    } finally {
        foreach ($certificate in $certificates) { $certificate.Dispose() }
    }
    return @{ Path = $path; Password = $password }
}

function Get-Tags {
    $tags = @{}
    foreach ($tag in $document.tags.PSObject.Properties) { $tags[$tag.Name] = $tag.Value }
    return $tags
}

# Only "not found" means the group is gone: the listing fails on a 403, throttling or a network
# error, which must fail the step, or Pulumi would forget a group that still exists.
function Test-DynamicGroup {
    $groups = @(Get-AzResourceGroup -ErrorAction Stop | Where-Object { $_.ResourceGroupName -eq $document.resourceGroup })
    return $groups.Count -gt 0
}

function Remove-DynamicGroup {
    if (Test-DynamicGroup) {
        Remove-AzResourceGroup -Name $document.resourceGroup -Force -ErrorAction Stop | Out-Null
    }
}

# Merged into the group's tags, never replacing them: Azure Policy or Pexip may have added some.
function Merge-DynamicGroupTags {
    $group = Get-AzResourceGroup -Name $document.resourceGroup -ErrorAction Stop
    Update-AzTag -ResourceId $group.ResourceId -Tag (Get-Tags) -Operation Merge | Out-Null
}

# Every value of a VDX_ secret variable and each line of it, longest first, to be masked in Pexip's
# script's output. Read when the script starts: the PFX password is then in the environment.
function Get-SecretValues {
    $values = foreach ($value in @($env:VDX_ADMIN_PASSWORD, $env:VDX_APP_SECRET, $env:VDX_PFX_PASSWORD, $env:VDX_PFX)) {
        if ($value) {
            $value
            $value -split '\r?\n' | Where-Object { $_ }
        }
    }
    return @($values | Select-Object -Unique | Sort-Object -Property Length -Descending)
}

function Hide-Secrets([string] $line, [string[]] $secrets) {
    foreach ($secret in $secrets) { $line = $line.Replace($secret, '[secret]', [StringComparison]::Ordinal) }
    return $line
}

# Run by Pexip's session (a file in a temporary folder): its preamble stops on its own errors;
# Pexip's script then runs with PowerShell's defaults, in its own scope, outside any try.
$pexipSession = @'
param([string] $Script, [string] $SubscriptionId, [string] $PfxPath, [switch] $PfxPasswordAsString)

# The Az versions the package asks for, before anything else loads Az.Accounts.
$requirements = [Management.Automation.Language.Parser]::ParseFile($Script, [ref] $null, [ref] $null).ScriptRequirements
if ($null -ne $requirements) {
    foreach ($module in $requirements.RequiredModules) { Import-Module -FullyQualifiedName $module -ErrorAction Stop }
}
# The operator's context, as Az saved it (Connect-AzAccount, azure/login), on the stack's subscription for this process only.
Disable-AzContextAutosave -Scope Process -ErrorAction Stop | Out-Null
Set-AzContext -Subscription $SubscriptionId -ErrorAction Stop | Out-Null

$values = @{
    adminPassword = $env:VDX_ADMIN_PASSWORD
    appSecret = $env:VDX_APP_SECRET
    pfxPath = $PfxPath
    pfxPassword = $env:VDX_PFX_PASSWORD
    instanceCount = $env:VDX_INSTANCE_COUNT
}
$arguments = ConvertTo-ScriptArguments ($env:VDX_DEPLOYMENT | ConvertFrom-Json).parameters $values $PfxPasswordAsString.IsPresent
Remove-Variable -Name 'values', 'requirements'
Remove-Item -LiteralPath 'Function:ConvertTo-ScriptArguments', 'Function:ConvertTo-SecureText'

Set-Location -LiteralPath ([IO.Path]::GetDirectoryName($Script))
$global:LASTEXITCODE = 0
& $Script @arguments
$scriptSucceeded = $?
# `exit N` (N not 0) leaves $? false and $LASTEXITCODE N. A code a native command left behind while
# the script carried on to its end leaves $? true: a warning, not a failure.
if (-not $scriptSucceeded -and $LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
if ($LASTEXITCODE -ne 0) { Write-Warning "A native command in Pexip's script exited with $LASTEXITCODE; the script carried on and ended normally." }
exit 0
'@

# Pexip's script in a child pwsh process, as an administrator's fresh session would run it. A
# process, not a new runspace: a runspace shares this process's loaded assemblies, so a package
# that asks for another Az.Accounts version would fail with "Assembly with same name is already
# loaded". The child gets its own scope, PowerShell's defaults (no strict mode, 'Continue'), no
# try around the script, and none of this driver's variables or functions. Secrets reach it by
# the environment only (the prepared PFX's password as VDX_PFX_PASSWORD), never the command line.
# Its output is streamed with every secret value masked and kept in a log file whose path is
# printed at the end, for Pexip support. Judged by its exit status (a terminating error is 1),
# then by the scale set it was to create: errors the script only writes do not stop it.
function Invoke-PexipScript([string] $script, $pfx, [bool] $pfxPasswordAsString) {
    $session = Join-Path (New-TemporaryFolder) 'pexip-session.ps1'
    $shipped = foreach ($name in 'ConvertTo-SecureText', 'ConvertTo-ScriptArguments') { "function $name {$((Get-Item -LiteralPath "Function:$name").ScriptBlock)}" }
    [IO.File]::WriteAllText($session, (($shipped + $pexipSession) -join "`n"))
    $env:VDX_PFX_PASSWORD = $pfx.Password
    $secrets = Get-SecretValues
    $log = Join-Path ([IO.Path]::GetTempPath()) ("vdx-teams-connector-$($document.resourceGroup)-" + (Get-Date -Format 'yyyyMMddTHHmmss') + '.log')
    $pwsh = [Environment]::ProcessPath
    $sessionArguments = @('-NoLogo', '-NoProfile', '-NonInteractive', '-File', $session, '-Script', $script, '-SubscriptionId', $document.subscriptionId, '-PfxPath', $pfx.Path)
    if ($pfxPasswordAsString) { $sessionArguments += '-PfxPasswordAsString' }
    & $pwsh @sessionArguments 2>&1 | ForEach-Object {
        $line = Hide-Secrets ([string] $_) $secrets
        Add-Content -LiteralPath $log -Value $line
        $line | Out-Host
    }
    $exitCode = $LASTEXITCODE
    Write-Host "Pexip's script's output, secrets masked, is kept in $log"
    if ($exitCode -ne 0) {
        throw "Pexip's deployment script failed (exit code $exitCode); its output above, kept in $log, says why."
    }
    $scaleSet = Get-AzVmss -ResourceGroupName $document.resourceGroup -VMScaleSetName $document.scaleSetName -ErrorAction SilentlyContinue
    if ($null -eq $scaleSet -or $scaleSet.ProvisioningState -ne 'Succeeded') {
        $state = if ($null -eq $scaleSet) { 'does not exist' } else { "is $($scaleSet.ProvisioningState)" }
        throw "Pexip's deployment script ended, but the scale set $($document.scaleSetName) in $($document.resourceGroup) $state; its output above, kept in $log, says why."
    }
}

# What deploy needs, read without writing: the package and the stack's parameters bound to its
# script, and the PFX. Returns the script and its syntax tree.
function Assert-Deployable {
    $script = Get-PackageScript
    $ast = Read-Script $script
    Assert-Parameters $script $ast
    Assert-Pfx
    return @{ Script = $script; Ast = $ast }
}

try {
    Connect-Subscription
    switch ($Action) {
        'check' { Assert-Deployable | Out-Null }
        'deploy' {
            $package = Assert-Deployable
            $pfx = Get-Pfx
            # Pulumi creates only after a failed create left nothing recorded: start from an empty group.
            Remove-DynamicGroup
            New-AzResourceGroup -Name $document.resourceGroup -Location $document.location -Tag (Get-Tags) -Force | Out-Null
            Invoke-PexipScript $package.Script $pfx (Test-PfxPasswordIsString $package.Ast)
        }
        'update' { Merge-DynamicGroupTags }
        'remove' { Remove-DynamicGroup }
        'scale' {
            # A PATCH of the capacity alone: the rest of the scale set's model stays Pexip's.
            Update-AzVmss -ResourceGroupName $document.resourceGroup -VMScaleSetName $document.scaleSetName -SkuCapacity (Get-InstanceCount) | Out-Null
        }
    }
} finally {
    foreach ($item in $temporary) { Remove-Item -LiteralPath $item -Recurse -Force -ErrorAction SilentlyContinue }
}
